#pragma once
// Builders for Claude Code JSONL lines used by the ingest tests.
#include <cstdint>
#include <fstream>
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

namespace ccu::ingest::testing {

// A compact assistant usage line like Claude Code writes; tweak the JSON before dumping.
inline nlohmann::json assistant_line(const std::string& uuid, const std::string& message_id,
                                     const std::string& request_id, std::int64_t output_tokens,
                                     const std::string& timestamp = "2025-09-30T10:00:00.000Z") {
    return {
        {"parentUuid", nullptr},
        {"isSidechain", false},
        {"userType", "external"},
        {"cwd", "/home/alice/work/project-x"},
        {"sessionId", "session-1"},
        {"version", "2.0.1"},
        {"gitBranch", "main"},
        {"type", "assistant"},
        {"uuid", uuid},
        {"timestamp", timestamp},
        {"requestId", request_id},
        {"message",
         {{"id", message_id},
          {"type", "message"},
          {"role", "assistant"},
          {"model", "claude-sonnet-4-5-20250929"},
          {"content", nlohmann::json::array({{{"type", "text"}, {"text", "hello"}}})},
          {"usage",
           {{"input_tokens", 10},
            {"cache_creation_input_tokens", 100},
            {"cache_read_input_tokens", 1000},
            {"output_tokens", output_tokens},
            {"service_tier", "standard"}}}}},
    };
}

inline std::string dump(const nlohmann::json& line) { return line.dump(); }

inline void write_file(const std::filesystem::path& path, const std::string& content) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
}

inline void append_file(const std::filesystem::path& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << content;
}

}  // namespace ccu::ingest::testing
