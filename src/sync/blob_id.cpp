#include "ccu/sync/blob_id.hpp"

#include "ccu/common/sha1.hpp"

namespace ccu::sync {

std::string git_blob_id(std::string_view content) {
    Sha1 sha;
    sha.update("blob " + std::to_string(content.size()));
    sha.update(std::string_view("\0", 1));
    sha.update(content);
    return sha.hex();
}

}  // namespace ccu::sync
