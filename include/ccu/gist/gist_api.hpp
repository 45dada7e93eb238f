#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ccu::gist {

// One file as GitHub lists it in a gist response. `content` is what the response carried:
// it may be cut at 1 MiB (truncated = true) or empty; then fetch raw_url.
struct GistFile {
    std::string filename;
    std::int64_t size = 0;
    std::string raw_url;
    bool truncated = false;
    std::string content;
    std::string type;
};

struct GistCommit {
    std::string version;       // commit sha
    std::string committed_at;  // RFC 3339
    std::string user_login;
    std::int64_t additions = 0;
    std::int64_t deletions = 0;
};

struct Gist {
    std::string id;
    std::string description;
    std::string html_url;
    std::string git_push_url;  // the gist's git repository (https://gist.github.com/<id>.git on GitHub)
    std::string owner_login;
    std::string created_at;
    std::string updated_at;
    bool is_public = false;
    std::map<std::string, GistFile> files;  // by filename
    std::vector<GistCommit> history;         // newest first, as far as the response carried it
    std::string etag;                        // from the response header, for conditional GETs
    bool files_truncated = false;            // GitHub listed only the first 300 files
};

// What a PATCH does to one file, mirroring GitHub's partial-update semantics.
struct FileChange {
    enum class Kind { Write, Rename, Delete };
    Kind kind = Kind::Write;
    std::string content;   // Write (never empty: GitHub would delete the file), or Rename+content
    std::string new_name;  // Rename
    static FileChange write(std::string content) { return {Kind::Write, std::move(content), {}}; }
    static FileChange remove() { return {Kind::Delete, {}, {}}; }
    // Rename; with non-empty `content` the renamed file also gets that content.
    static FileChange rename(std::string new_name, std::string content = {}) {
        return {Kind::Rename, std::move(content), std::move(new_name)};
    }
};
using GistPatch = std::map<std::string, FileChange>;  // by current filename

enum class Visibility { Secret, Public };

struct GistSummary {
    std::string id;
    std::string description;
    std::string updated_at;
    bool is_public = false;
    std::vector<std::string> filenames;
};

struct GistUser {
    std::string login;
    // From X-OAuth-Scopes; nullopt when the header is absent (fine-grained tokens send none).
    std::optional<std::vector<std::string>> scopes;
};

// The seam to GitHub's Gist API. The libcurl implementation lives in gist/curl_gist_api;
// tests run it against tests/fake_gist. All methods throw gist::ApiError (a ccu::Error).
class GistApi {
public:
    virtual ~GistApi() = default;
    // The gist as it is now (an unconditional GET: always a gist, or an ApiError).
    virtual Gist get_gist(const std::string& id) = 0;
    // A GET with If-None-Match: nullopt when GitHub answers 304 (the head still has that ETag),
    // else the gist with its new ETag. Two calls, so "not modified but no gist" cannot be said.
    virtual std::optional<Gist> get_gist_if_none_match(const std::string& id, const std::string& etag) = 0;
    // The gist's git_push_url. The libcurl client reads it from a GET whose file contents it
    // drops as they arrive: that GET inlines up to 1 MiB of every file, far beyond the response
    // cap for a gist of a year of records.
    virtual std::string git_push_url(const std::string& id) { return get_gist(id).git_push_url; }
    // Fetches a raw_url; never sends the Authorization header to a host other than the API host.
    virtual std::string get_raw(const std::string& raw_url) = 0;
    virtual Gist create_gist(const std::string& description,
                             const std::map<std::string, std::string>& files, Visibility visibility) = 0;
    // An empty patch (no file changes, no description) sends nothing and returns a Gist with
    // only `id` set: callers skip no-op writes (docs/format.md §10) and must not rely on the result then.
    virtual Gist patch_gist(const std::string& id, const GistPatch& patch,
                            const std::optional<std::string>& description = std::nullopt) = 0;
    // Newest first; follows pagination up to `limit` commits.
    virtual std::vector<GistCommit> list_commits(const std::string& id, std::size_t limit) = 0;
    // Number of revisions (commits) of the gist. The default pages through list_commits;
    // the libcurl client asks for one commit per page and reads the Link rel="last" page number.
    virtual std::size_t count_commits(const std::string& id) { return list_commits(id, SIZE_MAX).size(); }
    virtual Gist get_revision(const std::string& id, const std::string& sha) = 0;
    // All of the authenticated user's gists (follows pagination).
    virtual std::vector<GistSummary> list_user_gists() = 0;
    virtual GistUser get_user() = 0;
};

}  // namespace ccu::gist
