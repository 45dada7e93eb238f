#pragma once
// An origin-tool database (wangtae/claude-code-usage-analytics, snapshot_db.init_database) built
// with its exact usage_records schema, plus helpers to prove a file was not touched.
#include <SQLiteCpp/SQLiteCpp.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <filesystem>
#include <set>
#include <string>
#include <utility>

#include "ccu/common/atomic_file.hpp"

namespace ccu::test {

inline void write_origin_db(const std::filesystem::path& file) {
    std::filesystem::create_directories(file.parent_path());
    {
        SQLite::Database db(file.string(), SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
        db.exec(R"sql(
            PRAGMA journal_mode=DELETE;
            CREATE TABLE IF NOT EXISTS daily_snapshots (
                date TEXT PRIMARY KEY, total_prompts INTEGER NOT NULL, total_responses INTEGER NOT NULL,
                total_sessions INTEGER NOT NULL, total_tokens INTEGER NOT NULL, input_tokens INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL, cache_creation_tokens INTEGER NOT NULL,
                cache_read_tokens INTEGER NOT NULL, snapshot_timestamp TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS usage_records (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                date TEXT NOT NULL,
                timestamp TEXT NOT NULL,
                session_id TEXT NOT NULL,
                message_uuid TEXT NOT NULL,
                message_type TEXT NOT NULL,
                model TEXT,
                folder TEXT NOT NULL,
                git_branch TEXT,
                version TEXT NOT NULL,
                input_tokens INTEGER NOT NULL,
                output_tokens INTEGER NOT NULL,
                cache_creation_tokens INTEGER NOT NULL,
                cache_read_tokens INTEGER NOT NULL,
                total_tokens INTEGER NOT NULL,
                machine_name TEXT,
                UNIQUE(session_id, message_uuid));
            ALTER TABLE usage_records ADD COLUMN content TEXT;
            ALTER TABLE usage_records ADD COLUMN cost REAL;
            CREATE INDEX IF NOT EXISTS idx_usage_records_date ON usage_records(date);
            CREATE INDEX IF NOT EXISTS idx_usage_records_model ON usage_records(model);
            CREATE INDEX IF NOT EXISTS idx_usage_records_date_model ON usage_records(date, model);
        )sql");
        // date, timestamp, session, uuid, type, model, folder, branch, version, in, out, cc, cr, total,
        // machine, content, cost
        db.exec(R"sql(
            INSERT INTO usage_records (date, timestamp, session_id, message_uuid, message_type, model, folder,
                git_branch, version, input_tokens, output_tokens, cache_creation_tokens, cache_read_tokens,
                total_tokens, machine_name, content, cost) VALUES
            ('2025-01-02', '2025-01-02T03:04:00.000001+00:00', 's1', 'u0', 'user', NULL, '/home/u/work/myproj',
                'main', '1.0.80', 0, 0, 0, 0, 0, 'My_Laptop', 'a secret prompt', NULL),
            ('2025-01-02', '2025-01-02T03:04:05.123456+00:00', 's1', 'a1', 'assistant', 'claude-sonnet-4-20250514',
                '/home/u/work/myproj', 'main', '1.0.80', 3, 1, 200, 5000, 5204, 'My_Laptop', 'text', 0.1),
            ('2025-01-02', '2025-01-02T03:04:05.500000+00:00', 's1', 'a2', 'assistant', 'claude-sonnet-4-20250514',
                '/home/u/work/myproj', 'main', '1.0.80', 3, 1, 200, 5000, 5204, 'My_Laptop', NULL, 0.1),
            ('2025-01-02', '2025-01-02T03:04:06+00:00', 's1', 'a3', 'assistant', 'claude-sonnet-4-20250514',
                '/home/u/work/myproj', 'main', '1.0.80', 3, 120, 200, 5000, 5323, 'My_Laptop', NULL, 0.2),
            ('2025-01-02', '2025-01-02T03:10:00.123456', 's1', 'b1', 'assistant', 'claude-sonnet-4-20250514',
                'C:\Users\u\proj2\', '', 'unknown', 4, 50, 0, 5200, 5254, NULL, NULL, NULL),
            ('2025-01-02', '2025-01-02T03:11:00+00:00', 's1', 'syn', 'assistant', '<synthetic>',
                '/home/u/work/myproj', 'main', '1.0.80', 0, 0, 0, 0, 0, 'My_Laptop', NULL, NULL),
            ('2025-01-02', '2025-01-02T03:12:00+00:00', 's1', 'zero', 'assistant', 'claude-sonnet-4-20250514',
                '/home/u/work/myproj', 'main', '1.0.80', 0, 0, 0, 0, 0, 'My_Laptop', NULL, NULL),
            ('2025-01-03', '2025-01-03T00:00:00Z', 's2', 'c1', 'assistant', 'claude-opus-4-20250514',
                '/srv/other', NULL, '1.0.70', 5, 6, 7, 8, 26, 'Other_PC', NULL, NULL),
            ('2025-01-03', '2025-01-03T00:01:00Z', 's2', 'd1', 'assistant', 'claude-opus-4-20250514',
                '/srv/other', NULL, '1.0.70', 9, 6, 7, 8, 30, 'My_Laptop', NULL, NULL),
            ('2025-01-03', 'yesterday', 's2', 'bad', 'assistant', 'claude-opus-4-20250514',
                '/srv/other', NULL, '1.0.70', 5, 6, 7, 8, 26, 'My_Laptop', NULL, NULL);
        )sql");
    }
    // A fixed mtime in the past, so "unchanged" means something.
    const struct timespec times[2] = {{1600000000, 123456789}, {1600000000, 123456789}};
    ::utimensat(AT_FDCWD, file.c_str(), times, 0);
}

// (content, mtime in ns) of a file.
inline std::pair<std::string, std::int64_t> file_fingerprint(const std::filesystem::path& file) {
    struct stat st {};
    ::stat(file.c_str(), &st);
    return {ccu::read_file(file), static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec};
}

inline std::set<std::string> dir_listing(const std::filesystem::path& dir) {
    std::set<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) names.insert(entry.path().filename().string());
    return names;
}

}  // namespace ccu::test
