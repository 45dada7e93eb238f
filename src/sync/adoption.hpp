#pragma once
// Taking over a machine entry the origin tool wrote (docs/format.md §8 step 6, §14 "Moving from the origin
// tool"): the first push re-writes that machine's files from ccu's own store under a new
// generation, instead of merging the origin's one-row-per-line records into them. Private to sync.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ccu/store/store.hpp"
#include "ccu/sync/data_file.hpp"
#include "ccu/sync/manifest.hpp"
#include "ccu/sync/remote_store.hpp"

namespace ccu::sync {

struct Adoption {
    bool adopt = false;
    std::int64_t generation = 0;             // the generation this push writes
    std::vector<std::string> origin_files;   // this machine's files the origin tool wrote
};

// `entry`: this machine's entry in the gist (null: none); `current`: this machine's current file
// as parsed from the gist (null: absent or invalid); `own_generation`: the generation this
// store last wrote. Adopts when the entry or the current file was written by the origin tool.
Adoption plan_adoption(const MachineEntry* entry, const DataFile* current, std::int64_t own_generation,
                       const std::set<std::string>& listing);

// Imports the origin-written files of this machine into the store as this machine's records,
// one per response (rows that are lines of a response the store holds from the logs are that
// response), so the re-written files lose nothing the origin kept. Returns the records added.
std::size_t import_origin_files(RemoteSnapshot& remote, const Adoption& adoption, store::Store& store,
                                const std::string& machine);

// Generation this store last wrote for its own machine (store meta), and its update.
std::int64_t own_generation(const store::Store& store, const std::string& gist_id);
void set_own_generation(store::Store& store, const std::string& gist_id, std::int64_t generation);

}  // namespace ccu::sync
