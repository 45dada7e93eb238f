#include "gist_json.hpp"

#include <cctype>
#include <iterator>

#include "ccu/gist/errors.hpp"

namespace ccu::gist {
namespace {

using nlohmann::json;

// GitHub sends null for many optional fields; treat null, missing and wrong types alike.
std::string str(const json& doc, const char* key) {
    const auto it = doc.find(key);
    return it != doc.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::int64_t num(const json& doc, const char* key) {
    const auto it = doc.find(key);
    return it != doc.end() && it->is_number_integer() ? it->get<std::int64_t>() : 0;
}

bool flag(const json& doc, const char* key) {
    const auto it = doc.find(key);
    return it != doc.end() && it->is_boolean() && it->get<bool>();
}

std::string login_of(const json& doc, const char* key) {
    const auto it = doc.find(key);
    return it != doc.end() && it->is_object() ? str(*it, "login") : std::string();
}

void require_object(const json& doc, std::string_view what) {
    if (!doc.is_object()) {
        throw ApiError(ApiErrorKind::Server, 0, "GitHub sent an unexpected " + std::string(what) + " document",
                       "try again later; if it persists, report it with the output of -vv");
    }
}

GistFile parse_file(const std::string& key, const json& doc) {
    GistFile f;
    f.filename = str(doc, "filename");
    if (f.filename.empty()) f.filename = key;
    f.size = num(doc, "size");
    f.raw_url = str(doc, "raw_url");
    f.truncated = flag(doc, "truncated");
    f.content = str(doc, "content");
    f.type = str(doc, "type");
    return f;
}

}  // namespace

bool is_blank(std::string_view text) {
    for (const char c : text) {
        if (!std::isspace(static_cast<unsigned char>(c))) return false;
    }
    return true;
}

json parse_body(std::string_view body, std::string_view what) {
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded()) {
        throw ApiError(ApiErrorKind::Server, 0, "GitHub sent a " + std::string(what) + " response that is not JSON",
                       "try again later; if it persists, report it with the output of -vv");
    }
    return doc;
}

GistCommit parse_commit(const json& doc) {
    require_object(doc, "commit");
    GistCommit c;
    c.version = str(doc, "version");
    c.committed_at = str(doc, "committed_at");
    c.user_login = login_of(doc, "user");
    if (const auto it = doc.find("change_status"); it != doc.end() && it->is_object()) {
        c.additions = num(*it, "additions");
        c.deletions = num(*it, "deletions");
    }
    return c;
}

Gist parse_gist(const json& doc) {
    require_object(doc, "gist");
    Gist g;
    g.id = str(doc, "id");
    g.description = str(doc, "description");
    g.html_url = str(doc, "html_url");
    g.git_push_url = str(doc, "git_push_url");
    g.owner_login = login_of(doc, "owner");
    g.created_at = str(doc, "created_at");
    g.updated_at = str(doc, "updated_at");
    g.is_public = flag(doc, "public");
    g.files_truncated = flag(doc, "truncated");
    if (const auto it = doc.find("files"); it != doc.end() && it->is_object()) {
        for (const auto& [key, file] : it->items()) {
            if (!file.is_object()) continue;
            GistFile f = parse_file(key, file);
            g.files[f.filename] = std::move(f);
        }
    }
    if (const auto it = doc.find("history"); it != doc.end() && it->is_array()) {
        for (const auto& entry : *it) g.history.push_back(parse_commit(entry));
    }
    if (g.id.empty()) {
        throw ApiError(ApiErrorKind::Server, 0, "GitHub sent a gist document without an id",
                       "try again later; if it persists, report it with the output of -vv");
    }
    return g;
}

GistSummary parse_summary(const json& doc) {
    require_object(doc, "gist list entry");
    GistSummary s;
    s.id = str(doc, "id");
    s.description = str(doc, "description");
    s.updated_at = str(doc, "updated_at");
    s.is_public = flag(doc, "public");
    if (const auto it = doc.find("files"); it != doc.end() && it->is_object()) {
        for (const auto& [key, file] : it->items()) {
            const std::string name = file.is_object() ? str(file, "filename") : std::string();
            s.filenames.push_back(name.empty() ? key : name);
        }
    }
    return s;
}

json patch_body(const GistPatch& patch, const std::optional<std::string>& description) {
    json files = json::object();
    for (const auto& [name, change] : patch) {
        switch (change.kind) {
            case FileChange::Kind::Write:
                if (is_blank(change.content)) {
                    throw ApiError(ApiErrorKind::Validation, 0,
                                   "refusing to write '" + name + "' with empty content: GitHub would delete the file",
                                   "this is a bug in ccu; please report it with the output of -vv");
                }
                files[name] = {{"content", change.content}};
                break;
            case FileChange::Kind::Rename: {
                json entry = {{"filename", change.new_name}};
                if (!change.content.empty()) {
                    if (is_blank(change.content)) {
                        throw ApiError(ApiErrorKind::Validation, 0,
                                       "refusing to rename '" + name + "' with whitespace-only content",
                                       "this is a bug in ccu; please report it with the output of -vv");
                    }
                    entry["content"] = change.content;
                }
                files[name] = std::move(entry);
                break;
            }
            case FileChange::Kind::Delete:
                files[name] = nullptr;
                break;
        }
    }
    json body = json::object();
    if (!files.empty()) body["files"] = std::move(files);
    if (description) body["description"] = *description;
    return body;
}

json create_body(const std::string& description, const std::map<std::string, std::string>& files,
                 Visibility visibility) {
    json out = json::object();
    for (const auto& [name, content] : files) {
        if (is_blank(content)) {
            throw ApiError(ApiErrorKind::Validation, 0,
                           "refusing to create '" + name + "' with empty content: GitHub rejects it",
                           "this is a bug in ccu; please report it with the output of -vv");
        }
        out[name] = {{"content", content}};
    }
    if (out.empty()) {
        throw ApiError(ApiErrorKind::Validation, 0, "a gist needs at least one file",
                       "this is a bug in ccu; please report it with the output of -vv");
    }
    return {{"description", description}, {"public", visibility == Visibility::Public}, {"files", std::move(out)}};
}

std::optional<std::string> link_target(std::string_view header, std::string_view rel) {
    // Entries: <url>; rel="next", <url>; rel="last". URLs never contain '>' unescaped.
    std::size_t pos = 0;
    while ((pos = header.find('<', pos)) != std::string_view::npos) {
        const std::size_t close = header.find('>', pos);
        if (close == std::string_view::npos) break;
        const std::string_view url = header.substr(pos + 1, close - pos - 1);
        const std::size_t next_entry = header.find('<', close);
        const std::string_view params = header.substr(close + 1, next_entry == std::string_view::npos
                                                                     ? std::string_view::npos
                                                                     : next_entry - close - 1);
        const std::string quoted = "rel=\"" + std::string(rel) + "\"";
        const std::string bare = "rel=" + std::string(rel);
        const std::size_t q = params.find(quoted);
        const std::size_t b = params.find(bare);
        const bool bare_ok = b != std::string_view::npos &&
                             (b + bare.size() == params.size() || params[b + bare.size()] == ';' ||
                              params[b + bare.size()] == ',' || params[b + bare.size()] == ' ');
        if (q != std::string_view::npos || bare_ok) return std::string(url);
        pos = close;
    }
    return std::nullopt;
}

std::optional<std::string> query_param(std::string_view url, std::string_view name) {
    const std::size_t q = url.find('?');
    if (q == std::string_view::npos) return std::nullopt;
    std::string_view rest = url.substr(q + 1);
    while (!rest.empty()) {
        const std::size_t amp = rest.find('&');
        const std::string_view pair = rest.substr(0, amp);
        const std::size_t eq = pair.find('=');
        if (pair.substr(0, eq) == name) {
            return eq == std::string_view::npos ? std::string() : std::string(pair.substr(eq + 1));
        }
        if (amp == std::string_view::npos) break;
        rest.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

void FileContentDropper::feed(std::string_view chunk, std::string& out) {
    constexpr std::size_t kKeyBytes = 16;  // enough to tell "files" and "content"
    for (const char c : chunk) {
        if (in_string_) {
            if (!dropping_) out.push_back(c);
            if (escaped_) {
                escaped_ = false;
            } else if (c == '\\') {
                escaped_ = true;
            } else if (c == '"') {
                if (dropping_) out.push_back(c);
                in_string_ = false;
                dropping_ = false;
                if (is_key_ && containers_.size() < std::size(keys_)) keys_[containers_.size()] = key_;
                continue;
            }
            if (is_key_ && key_.size() < kKeyBytes) key_.push_back(c);
            continue;
        }
        out.push_back(c);
        switch (c) {
            case '"':
                in_string_ = true;
                is_key_ = expect_key_ && !containers_.empty() && containers_.back() == '{';
                key_.clear();
                // root { "files": { "<name>": { "content": "..." } } }
                dropping_ = !is_key_ && containers_ == "{{{" && keys_[1] == "files" && keys_[3] == "content";
                break;
            case '{':
                containers_.push_back('{');
                expect_key_ = true;
                break;
            case '[':
                containers_.push_back('[');
                expect_key_ = false;
                break;
            case '}':
            case ']':
                if (!containers_.empty()) containers_.pop_back();
                expect_key_ = false;
                break;
            case ',': expect_key_ = !containers_.empty() && containers_.back() == '{'; break;
            case ':': expect_key_ = false; break;
            default: break;
        }
    }
}

}  // namespace ccu::gist
