#pragma once
#include <filesystem>

namespace SQLite {
class Database;
}

namespace ccu::store::detail {

// The schema version this build writes (PRAGMA user_version).
inline constexpr int kCurrentSchemaVersion = 8;
// The oldest version a read-only open reads as it is (the status line never migrates): v8 changed
// only what the writes look up (record_lines, an index), nothing a read touches.
inline constexpr int kOldestReadableVersion = 7;

// The page size of a new store. Against SQLite's 4 KiB, 16 KiB pages took 5-10 % off a cold dense
// run and 8 % off a 1M-row import, with warm reports and small writes unchanged
// (bench/README.md, "16 KiB pages").
inline constexpr int kPageBytes = 16384;

int read_schema_version(SQLite::Database& db);

// Brings a read-write database from its user_version up to kCurrentSchemaVersion, one ordered
// migration per version, all in one transaction. Throws ccu::Error when the file was
// written by a newer ccu (its version is higher than this build knows).
void migrate(SQLite::Database& db, const std::filesystem::path& file);

}  // namespace ccu::store::detail
