// Property tests: merge_with is a join (commutative, associative, idempotent), reconcile
// commutes with merge, serialize/parse round-trips, unknown fields survive. Seeded RNG.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <random>

#include "ccu/common/config.hpp"
#include "ccu/common/time.hpp"
#include "ccu/sync/file_names.hpp"
#include "ccu/sync/manifest.hpp"

using namespace ccu::sync;
using nlohmann::json;

namespace {

const std::vector<std::string> kMachines = {"alpha", "beta", "gamma.local", "d-1", "origin_pc", "Home PC"};

class Gen {
public:
    explicit Gen(std::uint32_t seed) : rng_(seed) {}

    int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng_); }
    bool coin() { return pick(2) == 0; }

    // Few distinct instants so ties are common; both zone spellings, with and without fraction.
    std::string timestamp() {
        const std::int64_t base = 1735689600000;  // 2025-01-01
        const std::int64_t ms = base + static_cast<std::int64_t>(pick(4)) * 3600000 + (pick(3) == 0 ? 500 : 0);
        std::string z = ccu::timeutil::format_rfc3339_ms(ms);  // ...sss.mmmZ
        switch (pick(3)) {
            case 0: return z;
            case 1: return z.substr(0, z.size() - 1) + "+00:00";
            default: return ms % 1000 == 0 ? z.substr(0, 19) + "+00:00" : z.substr(0, 23) + "000+00:00";
        }
    }

    std::vector<std::string> all_files(const std::string& m) {
        std::vector<std::string> files = {current_file_name(m), part_file_name(m, 1), part_file_name(m, 2),
                                          backup_file_name(m, "20250101"), backup_file_name(m, "20250102")};
        if (!ccu::is_valid_machine_name(m)) {
            files.push_back("usage_data_" + m + "_2024.json");
            files.push_back("usage_data_" + m + "_2025_01_p2.json");
        }
        return files;
    }

    json value() {
        switch (pick(4)) {
            case 0: return pick(3);
            case 1: return std::string(1, static_cast<char>('a' + pick(3)));
            case 2: return json::array({pick(2), "x"});
            default: return {{"n", pick(2)}};
        }
    }

    MachineEntry entry(const std::string& m) {
        MachineEntry e;
        e.machine_name = m;
        e.last_sync = timestamp();
        if (coin()) e.last_record_date = "2025-01-0" + std::to_string(1 + pick(3));
        e.total_records = pick(3) * 5;
        e.current_file = current_file_name(m);
        for (const std::string& f : all_files(m)) {
            if (!coin()) continue;
            (classify_for_machine(f, m).role == FileRole::Backup ? e.backups : e.data_files).push_back(f);
        }
        if (pick(3) == 0) e.machine_id = "id-" + std::to_string(pick(2));
        if (pick(3) == 0) e.tool = "ccu 0.1." + std::to_string(pick(2));
        if (coin()) e.extra["unknown_" + std::to_string(pick(2))] = value();
        return e;
    }

    Manifest manifest() {
        json doc = {{"version", "1.0"}, {"last_updated", timestamp()}, {"machines", json::array()}};
        if (pick(3) != 0) doc["backup_retention_days"] = json::array({0, 7, 30})[static_cast<std::size_t>(pick(3))];
        if (coin()) doc["top_" + std::to_string(pick(3))] = value();
        Manifest m = Manifest::parse(doc.dump());
        for (const std::string& name : kMachines) {
            if (pick(3) == 0) m.upsert(entry(name));
        }
        return m;
    }

    std::set<std::string> listing() {
        std::set<std::string> files = {"manifest.json", "notes.txt", "usage_data_ghost_2024.json"};
        for (const std::string& name : kMachines) {
            for (const std::string& f : all_files(name)) {
                if (coin()) files.insert(f);
            }
        }
        for (const std::string& f : all_files("zeta")) {
            if (coin()) files.insert(f);
        }
        return files;
    }

private:
    std::mt19937 rng_;
};

constexpr std::uint32_t kSeeds = 300;

}  // namespace

TEST_CASE("property: merge is commutative, associative and idempotent", "[manifest][property]") {
    for (std::uint32_t seed = 1; seed <= kSeeds; ++seed) {
        Gen g(seed);
        const Manifest a = g.manifest(), b = g.manifest(), c = g.manifest();
        INFO("seed " << seed);  // rerun one seed to see the manifests
        REQUIRE(a.merge_with(b) == b.merge_with(a));
        REQUIRE(a.merge_with(b).merge_with(c) == a.merge_with(b.merge_with(c)));
        REQUIRE(a.merge_with(a) == a);
        REQUIRE(a.merge_with(b).merge_with(b) == a.merge_with(b));
        REQUIRE(a.merge_with(b).serialize() == b.merge_with(a).serialize());
    }
}

TEST_CASE("property: serialize and parse round-trip", "[manifest][property]") {
    for (std::uint32_t seed = 1; seed <= kSeeds; ++seed) {
        Gen g(seed);
        const Manifest a = g.manifest();
        const std::string text = a.serialize();
        INFO("seed " << seed << "\n" << text);
        const Manifest back = Manifest::parse(text);
        REQUIRE(back == a);
        REQUIRE(back.serialize() == text);
    }
}

TEST_CASE("property: merge keeps what each side knew", "[manifest][property]") {
    for (std::uint32_t seed = 1; seed <= kSeeds; ++seed) {
        Gen g(seed);
        const Manifest a = g.manifest(), b = g.manifest();
        const Manifest m = a.merge_with(b);
        INFO("seed " << seed);
        REQUIRE((m.get_last_updated() == a.get_last_updated() || m.get_last_updated() == b.get_last_updated()));
        REQUIRE_FALSE(a.is_newer_than(m.get_last_updated()));
        REQUIRE_FALSE(b.is_newer_than(m.get_last_updated()));
        for (const Manifest* side : {&a, &b}) {
            for (const auto& [key, value] : side->extra().items()) REQUIRE(m.extra().contains(key));
            for (const MachineEntry& e : side->machines()) {
                const MachineEntry* got = m.find(e.machine_name);
                REQUIRE(got);
                for (const auto& f : e.backups) REQUIRE(std::count(got->backups.begin(), got->backups.end(), f) == 1);
                for (const auto& f : e.data_files) REQUIRE(std::count(got->data_files.begin(), got->data_files.end(), f) == 1);
                const auto t_got = ccu::timeutil::parse_rfc3339_ms(got->last_sync);
                REQUIRE(*t_got >= *ccu::timeutil::parse_rfc3339_ms(e.last_sync));
            }
        }
        // The winning entry is one of the inputs (minus the unioned lists), extras included.
        for (const MachineEntry& e : m.machines()) {
            bool from_input = false;
            for (const Manifest* side : {&a, &b}) {
                const MachineEntry* in = side->find(e.machine_name);
                if (in && in->last_sync == e.last_sync && in->total_records == e.total_records &&
                    in->extra == e.extra && in->machine_id == e.machine_id && in->tool == e.tool) {
                    from_input = true;
                }
            }
            REQUIRE(from_input);
        }
    }
}

TEST_CASE("property: reconcile commutes with merge and is idempotent", "[manifest][property]") {
    for (std::uint32_t seed = 1; seed <= kSeeds; ++seed) {
        Gen g(seed);
        const Manifest a = g.manifest(), b = g.manifest();
        const std::set<std::string> files = g.listing();
        INFO("seed " << seed);
        const Manifest direct = a.merge_with(b).reconciled_with(files);
        const Manifest early = a.reconciled_with(files).merge_with(b.reconciled_with(files)).reconciled_with(files);
        REQUIRE(direct == early);
        REQUIRE(direct.reconciled_with(files) == direct);
        // Every listed name exists; every file of a known pattern is listed by someone.
        std::set<std::string> listed;
        for (const MachineEntry& e : direct.machines()) {
            for (const auto& f : e.backups) REQUIRE(files.count(f));
            for (const auto& f : e.data_files) REQUIRE(files.count(f));
            listed.insert(e.backups.begin(), e.backups.end());
            listed.insert(e.data_files.begin(), e.data_files.end());
            if (files.count(e.current_file)) {
                REQUIRE(std::find(e.data_files.begin(), e.data_files.end(), e.current_file) != e.data_files.end());
            }
        }
        for (const std::string& f : files) {
            const FileRole role = classify_file_name(f).role;
            if (role == FileRole::Current || role == FileRole::Part || role == FileRole::Backup) {
                REQUIRE(listed.count(f));
            }
        }
        REQUIRE(Manifest::parse(direct.serialize()) == direct);
    }
}
