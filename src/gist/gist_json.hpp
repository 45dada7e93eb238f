#pragma once
// Pure conversions between GitHub's gist JSON and the gist_api.hpp structs, and the Link
// header. No I/O; malformed documents throw ApiError(Server).
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ccu/gist/gist_api.hpp"

namespace ccu::gist {

Gist parse_gist(const nlohmann::json& doc);
GistCommit parse_commit(const nlohmann::json& doc);
GistSummary parse_summary(const nlohmann::json& doc);
nlohmann::json parse_body(std::string_view body, std::string_view what);  // throws ApiError(Server)

// {"files": {...}} for a PATCH; throws ApiError(Validation) for a write whose content is
// empty or whitespace-only (GitHub would delete the file).
nlohmann::json patch_body(const GistPatch& patch, const std::optional<std::string>& description);
nlohmann::json create_body(const std::string& description, const std::map<std::string, std::string>& files,
                           Visibility visibility);

bool is_blank(std::string_view text);

// Streams a gist document through and keeps all of it but the text of its files' "content"
// values (written as ""): the git URL of a gist is read from a GET that inlines up to 1 MiB of
// every file (docs/format.md §5), hundreds of MB for a year of records, of which only the
// metadata is kept. Fed in any chunks; a document that is not JSON comes out as it went in,
// less what looked like such a value.
class FileContentDropper {
public:
    void feed(std::string_view chunk, std::string& out);

private:
    std::string containers_;  // '{' or '[' per open container
    bool expect_key_ = false;
    bool in_string_ = false;
    bool escaped_ = false;
    bool is_key_ = false;
    bool dropping_ = false;
    std::string key_;        // the key being read (its first bytes)
    std::string keys_[4];    // the last key read in the object at depth 1..3
};

// The URL of rel="<rel>" in an RFC 8288 Link header, if present.
std::optional<std::string> link_target(std::string_view link_header, std::string_view rel);
// The value of query parameter `name` in `url`, if present.
std::optional<std::string> query_param(std::string_view url, std::string_view name);

}  // namespace ccu::gist
