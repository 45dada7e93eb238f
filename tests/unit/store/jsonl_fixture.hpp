#pragma once
// A small hand-written Claude Code projects tree (until a shared generator exists), plus a
// fingerprint of a whole tree to prove it was not touched.
#include <sys/stat.h>

#include <filesystem>
#include <map>
#include <string>
#include <utility>

#include "ccu/common/atomic_file.hpp"

namespace ccu::test {

inline std::string usage_line(const std::string& uuid, const std::string& msg, const std::string& req,
                              const std::string& timestamp, int output_tokens) {
    return R"({"type":"assistant","sessionId":"sess-1","uuid":")" + uuid + R"(","timestamp":")" + timestamp +
           R"(","cwd":"/home/u/proj","version":"1.0.80","gitBranch":"main","requestId":")" + req +
           R"(","message":{"id":")" + msg +
           R"(","type":"message","role":"assistant","model":"claude-sonnet-4-20250514","content":[{"type":"text","text":"hi"}],"usage":{"input_tokens":3,"output_tokens":)" +
           std::to_string(output_tokens) + R"(,"cache_creation_input_tokens":200,"cache_read_input_tokens":5000}}})";
}

// One session file: two responses (the first streamed over two lines), a user line and one
// malformed usage line. Returns the file.
inline std::filesystem::path write_small_tree(const std::filesystem::path& projects_dir) {
    const std::filesystem::path file = projects_dir / "-home-u-proj" / "sess-1.jsonl";
    std::string text;
    text += R"({"type":"user","sessionId":"sess-1","uuid":"user-1","timestamp":"2025-01-02T03:04:00.000Z","cwd":"/home/u/proj","version":"1.0.80","message":{"role":"user","content":"hello"}})";
    text += "\n" + usage_line("line-1", "msg_1", "req_1", "2025-01-02T03:04:05.000Z", 1);
    text += "\n" + usage_line("line-2", "msg_1", "req_1", "2025-01-02T03:04:06.000Z", 120);
    text += "\n" + std::string(R"({"type":"assistant","message":{"usage":{"input_tokens":)");
    text += "\n" + usage_line("line-3", "msg_2", "req_2", "2025-01-02T03:05:00.000Z", 40) + "\n";
    ccu::write_file_atomically(file, text);
    return file;
}

// path -> (content, mtime ns) of every file under `root`.
inline std::map<std::string, std::pair<std::string, std::int64_t>> tree_fingerprint(const std::filesystem::path& root) {
    std::map<std::string, std::pair<std::string, std::int64_t>> out;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
        struct stat st {};
        ::lstat(entry.path().c_str(), &st);
        const std::int64_t mtime = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
        out[entry.path().string()] = {entry.is_regular_file() ? ccu::read_file(entry.path()) : std::string(), mtime};
    }
    return out;
}

}  // namespace ccu::test
