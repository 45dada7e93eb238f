#pragma once
#include <string>
#include <string_view>

namespace ccu::sync {

// The git blob id of `content` (SHA-1 of "blob <size>\0" + content, 40 lowercase hex digits): what
// `git hash-object` prints and what GitHub puts into a gist file's raw_url. Equal ids mean equal
// bytes, so a machine that holds the bytes it pushed need not download them again.
std::string git_blob_id(std::string_view content);

}  // namespace ccu::sync
