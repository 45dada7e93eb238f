#pragma once
#include <memory>

#include "ccu/common/clock.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/gist/gist_api.hpp"
#include "ccu/store/store.hpp"

namespace ccu::sync {

// The composition root of a sync command: config, the store and the real Gist client. The CLI
// builds one and hands its parts to SyncManager / BackupOps; nothing below creates them.
struct SyncSession {
    Config config;
    std::unique_ptr<store::Store> store;
    std::unique_ptr<gist::GistApi> api;
};

// Throws ccu::Error(NotConfigured) when setup has not run or no token is found (exit 3).
SyncSession open_sync_session(const Environment& env, const Paths& paths, Clock& clock);

// The store alone (status works offline).
std::unique_ptr<store::Store> open_store(const Paths& paths);

}  // namespace ccu::sync
