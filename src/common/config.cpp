#include "ccu/common/config.hpp"

#include <unistd.h>

#include <array>
#include <random>

#include "ccu/common/atomic_file.hpp"
#include "ccu/common/error.hpp"

namespace ccu {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr std::array<const char*, 10> kKnownKeys{"gist_id",          "machine_name",
                                                 "machine_id",       "backup_retention_days",
                                                 "auto_sync",        "auto_sync_interval_minutes",
                                                 "auto_sync_mode",   "auto_sync_scheduler",
                                                 "sync",             "token_store"};

template <typename T>
void read_field(const json& j, const char* key, T& out, const fs::path& file) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return;
    try {
        out = it->get<T>();
    } catch (const json::exception&) {
        throw Error(ErrorKind::Usage, "config " + file.string() + ": '" + key + "' has the wrong type",
                    "fix or delete that key, or re-run 'ccu gist setup'");
    }
}

}  // namespace

Config load_config(const fs::path& file) {
    Config cfg;
    std::error_code ec;
    if (!fs::exists(file, ec)) return cfg;
    json j;
    try {
        j = json::parse(read_file(file));
    } catch (const json::exception& e) {
        throw Error(ErrorKind::Usage, "config " + file.string() + " is not valid JSON: " + e.what(),
                    "fix the file or delete it and re-run 'ccu gist setup'");
    }
    if (!j.is_object()) {
        throw Error(ErrorKind::Usage, "config " + file.string() + " is not a JSON object",
                    "delete it and re-run 'ccu gist setup'");
    }
    read_field(j, "gist_id", cfg.gist_id, file);
    read_field(j, "machine_name", cfg.machine_name, file);
    read_field(j, "machine_id", cfg.machine_id, file);
    read_field(j, "backup_retention_days", cfg.backup_retention_days, file);
    read_field(j, "auto_sync", cfg.auto_sync, file);
    read_field(j, "auto_sync_interval_minutes", cfg.auto_sync_interval_minutes, file);
    read_field(j, "auto_sync_mode", cfg.auto_sync_mode, file);
    read_field(j, "auto_sync_scheduler", cfg.auto_sync_scheduler, file);
    if (const auto s = j.find("sync"); s != j.end() && s->is_object()) {
        read_field(*s, "max_file_bytes", cfg.max_file_bytes, file);
        if (const auto seal = s->find("seal_bytes"); seal != s->end() && !seal->is_null()) {
            std::int64_t bytes = 0;
            read_field(*s, "seal_bytes", bytes, file);
            cfg.seal_bytes = bytes;
        }
        read_field(*s, "conflict_backoff_ms", cfg.conflict_backoff_ms, file);
        if (cfg.conflict_backoff_ms < 0 || cfg.conflict_backoff_ms > 60000) {
            throw Error(ErrorKind::Usage, "config " + file.string() + ": sync.conflict_backoff_ms must be 0 to 60000",
                        "fix or delete that key");
        }
        std::string transport = "auto";
        read_field(*s, "transport", transport, file);
        const auto choice = parse_transport_choice(transport);
        if (!choice) {
            throw Error(ErrorKind::Usage, "config " + file.string() + ": sync.transport '" + transport +
                        "' is not auto, git or rest", "fix or delete that key");
        }
        cfg.transport = *choice;
    }
    std::string store;
    read_field(j, "token_store", store, file);
    if (store == "keyring") cfg.token_store = TokenStoreKind::Keyring;
    if (store == "file") cfg.token_store = TokenStoreKind::File;
    if (!cfg.machine_name.empty() && !is_valid_machine_name(cfg.machine_name)) {
        throw Error(ErrorKind::Usage, "config " + file.string() + ": machine name '" + cfg.machine_name +
                    "' is not valid (letters, digits, '.', '-'; at most 63)",
                    "run 'ccu gist setup --machine-name NAME'");
    }
    for (auto it = j.begin(); it != j.end(); ++it) {
        if (std::find(kKnownKeys.begin(), kKnownKeys.end(), it.key()) == kKnownKeys.end()) {
            cfg.extra[it.key()] = it.value();
        }
    }
    if (const auto s = j.find("sync"); s != j.end() && s->is_object()) {
        for (auto it = s->begin(); it != s->end(); ++it) {
            const std::string& k = it.key();
            if (k != "max_file_bytes" && k != "seal_bytes" && k != "transport" && k != "conflict_backoff_ms") {
                cfg.extra["sync"][k] = it.value();
            }
        }
    }
    return cfg;
}

void save_config(const fs::path& file, const Config& cfg) {
    json j = cfg.extra;
    json sync = j.contains("sync") ? j["sync"] : json::object();
    sync["max_file_bytes"] = cfg.max_file_bytes;
    if (cfg.seal_bytes) {
        sync["seal_bytes"] = *cfg.seal_bytes;
    } else {
        sync.erase("seal_bytes");
    }
    if (cfg.transport != TransportChoice::Auto) {
        sync["transport"] = transport_choice_name(cfg.transport);
    } else {
        sync.erase("transport");
    }
    if (cfg.conflict_backoff_ms != Config{}.conflict_backoff_ms) {
        sync["conflict_backoff_ms"] = cfg.conflict_backoff_ms;
    } else {
        sync.erase("conflict_backoff_ms");
    }
    j["sync"] = sync;
    j["gist_id"] = cfg.gist_id;
    j["machine_name"] = cfg.machine_name;
    j["machine_id"] = cfg.machine_id;
    j["backup_retention_days"] = cfg.backup_retention_days;
    j["auto_sync"] = cfg.auto_sync;
    j["auto_sync_interval_minutes"] = cfg.auto_sync_interval_minutes;
    j["auto_sync_mode"] = cfg.auto_sync_mode;
    if (cfg.auto_sync_scheduler.empty()) {
        j.erase("auto_sync_scheduler");
    } else {
        j["auto_sync_scheduler"] = cfg.auto_sync_scheduler;
    }
    if (cfg.token_store) j["token_store"] = *cfg.token_store == TokenStoreKind::File ? "file" : "keyring";
    write_file_atomically(file, j.dump(2) + "\n", FileMode::Private);
}

std::optional<TransportChoice> parse_transport_choice(std::string_view text) {
    if (text == "auto") return TransportChoice::Auto;
    if (text == "git") return TransportChoice::Git;
    if (text == "rest") return TransportChoice::Rest;
    return std::nullopt;
}

std::string_view transport_choice_name(TransportChoice choice) {
    switch (choice) {
        case TransportChoice::Auto: return "auto";
        case TransportChoice::Git: return "git";
        case TransportChoice::Rest: return "rest";
    }
    return "auto";
}

bool is_valid_machine_name(std::string_view name) {
    if (name.empty() || name.size() > 63) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        const char c = name[i];
        const bool alnum = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '-'))) return false;
    }
    return true;
}

std::string sanitize_machine_name(std::string_view raw) {
    std::string out;
    for (const char c : raw) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                        c == '.' || c == '-';
        if (out.empty() && !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
            continue;
        }
        out.push_back(ok ? c : '-');
        if (out.size() == 63) break;
    }
    return out.empty() ? "machine" : out;
}

std::string default_machine_name() {
    std::array<char, 256> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0) return "machine";
    std::string host(buf.data());
    host = host.substr(0, host.find('.'));
    return sanitize_machine_name(host);
}

std::string make_uuid_v4() {
    std::random_device rd;
    std::array<unsigned char, 16> b{};
    for (auto& byte : b) byte = static_cast<unsigned char>(rd() & 0xff);
    b[6] = static_cast<unsigned char>((b[6] & 0x0f) | 0x40);
    b[8] = static_cast<unsigned char>((b[8] & 0x3f) | 0x80);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string s;
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10) s.push_back('-');
        s.push_back(kHex[b[i] >> 4]);
        s.push_back(kHex[b[i] & 0x0f]);
    }
    return s;
}

}  // namespace ccu
