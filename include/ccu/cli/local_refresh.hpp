#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "ccu/common/environment.hpp"
#include "ccu/common/progress.hpp"
#include "ccu/ingest/scanner.hpp"
#include "ccu/store/store.hpp"

namespace ccu::pricing {
class PriceTable;
}

namespace ccu::cli {

// One origin-tool database looked at by refresh_local.
struct LegacyFileReport {
    std::string path;
    bool unchanged = false;   // size + mtime as at the last import: not read again
    std::uint64_t rows = 0;
    std::uint64_t records = 0;  // responses after merging content-block rows
    std::map<std::string, std::uint64_t> skipped;  // reason -> rows
    std::string problem;        // unreadable file (a warning, never fatal)
};

struct RefreshStats {
    ingest::ScanStats scan;
    store::UpsertStats upsert;                  // the JSONL scan's records
    std::size_t legacy_imported = 0;     // legacy records inserted or updated
    store::UpsertStats legacy_upsert;           // additive: the legacy import's full upsert outcome
    std::vector<LegacyFileReport> legacy_files;  // additive
};

// Scans every projects dir incrementally (cursors in the store), imports the origin tool's
// usage_history_*.db read-only, and upserts it all under `machine_name`. One transaction per batch.
// Legacy files whose size and mtime match the last import (store meta "legacy.stat:<path>") are
// skipped. Which legacy rows count as this machine's: see ingest::read_legacy_db; a file is this
// machine's when it is the only one, or when its name's machine sanitizes to `machine_name`.
// Lives in cli/, the layer that orchestrates: it runs ingest into the store (a leaf) with the price
// table handed in (which models are known), and sync gets it as a LocalRefreshFn. `progress` is
// told the scan ("Scanning": files, bytes) and the legacy import ("Importing origin tool history").
RefreshStats refresh_local(store::Store& store, const ccu::Paths& paths, const std::string& machine_name,
                           const pricing::PriceTable& prices);
RefreshStats refresh_local(store::Store& store, const ccu::Paths& paths, const std::string& machine_name,
                           const pricing::PriceTable& prices, ProgressSink& progress);

}  // namespace ccu::cli
