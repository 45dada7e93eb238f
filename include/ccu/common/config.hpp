#pragma once
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace ccu {

enum class TokenStoreKind { Keyring, File };

// sync.transport: how sync reaches the gist (docs/architecture.md, "Transports"). Auto = git, and
// REST with one warning when the git endpoint refuses a token the API accepts.
enum class TransportChoice { Auto, Git, Rest };
std::optional<TransportChoice> parse_transport_choice(std::string_view text);  // "auto" | "git" | "rest"
std::string_view transport_choice_name(TransportChoice choice);

// $XDG_CONFIG_HOME/ccu/config.json. Unknown keys are kept on rewrite.
struct Config {
    std::string gist_id;        // empty: not set up
    std::string machine_name;   // ^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$
    std::string machine_id;     // random UUID made at setup
    int backup_retention_days = 30;
    bool auto_sync = false;
    int auto_sync_interval_minutes = 60;
    std::string auto_sync_mode = "sync";  // what the scheduled run does: "sync" | "push"
    std::string auto_sync_scheduler;      // what `auto-sync on` installed: "systemd" | "cron" | ""
    std::int64_t max_file_bytes = 4 * 1024 * 1024;  // sync.max_file_bytes: no file ccu writes is larger
    // sync.seal_bytes: the current file is sealed into an immutable part at this size (at most
    // 1 MiB, so no data file is ever truncated inline in a REST response). Unset: the default of
    // the transport the push writes over (effective_seal_bytes, docs/format.md §5).
    std::optional<std::int64_t> seal_bytes;
    TransportChoice transport = TransportChoice::Auto;  // sync.transport
    // sync.conflict_backoff_ms: the first wait after a refused write (then x2, x4), plus up to as
    // much again of jitter (src/sync/commit_loop.cpp). Tests with many racing writers shorten it.
    std::int64_t conflict_backoff_ms = 1000;
    std::optional<TokenStoreKind> token_store;       // where set-token put it, if anywhere
    nlohmann::json extra = nlohmann::json::object();  // unknown keys, preserved

    bool is_configured() const { return !gist_id.empty() && !machine_name.empty(); }
};

// Missing file: default Config. Malformed file: ccu::Error(Usage) naming the file.
Config load_config(const std::filesystem::path& file);
void save_config(const std::filesystem::path& file, const Config& config);

// ccu's machine-name rule (docs/format.md §2): ^[A-Za-z0-9][A-Za-z0-9.-]{0,62}$, so no '_'.
// The one copy: config, setup and gist file-name classification all use it.
bool is_valid_machine_name(std::string_view name);
// Host name with every character outside [A-Za-z0-9.-] replaced by '-' (and a leading
// non-alphanumeric dropped), cut to 63 characters; "machine" when nothing is left.
std::string sanitize_machine_name(std::string_view raw);
std::string default_machine_name();  // sanitize_machine_name(gethostname short name)
std::string make_uuid_v4();

}  // namespace ccu
