#pragma once
// SQLite's own statements, for the loops where SQLiteCpp's Column objects (a shared_ptr copy
// and a mutex round each) cost more than the read itself (bench/README.md).
#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include <memory>
#include <string>

namespace ccu::store::detail {

using Prepared = std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)>;

inline Prepared prepare(sqlite3* handle, const std::string& sql) {
    sqlite3_stmt* prepared = nullptr;
    if (const int rc = sqlite3_prepare_v2(handle, sql.c_str(), -1, &prepared, nullptr); rc != SQLITE_OK) {
        throw SQLite::Exception(handle, rc);
    }
    return {prepared, &sqlite3_finalize};
}

}  // namespace ccu::store::detail
