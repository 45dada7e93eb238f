#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccu/auth/prompt.hpp"
#include "ccu/auth/set_token.hpp"
#include "ccu/common/clock.hpp"
#include "ccu/common/config.hpp"
#include "ccu/common/environment.hpp"
#include "ccu/gist/gist_api.hpp"

namespace ccu::auth {

inline constexpr const char* kCcuGistDescription = "ccu: Claude Code usage sync";
inline constexpr const char* kOriginGistDescription = "Claude Code Usage Analytics - Data Backup";

enum class Interaction { Interactive, NonInteractive };
enum class GistChoice { Auto, UseId, Create };

struct SetupOptions {
    GistChoice gist = GistChoice::Auto;
    std::string gist_id;                      // GistChoice::UseId
    std::optional<std::string> machine_name;  // --machine-name
    bool yes = false;                         // --yes: accept defaults (adopt, create) without asking
    Interaction interaction = Interaction::NonInteractive;
};

// Side effects setup needs, handed in by the CLI (keeps auth below store and sync).
struct SetupDeps {
    std::function<std::unique_ptr<gist::GistApi>(const std::string& token)> make_api;
    StoreOpener open_store;
    Prompter* prompter = nullptr;  // required when interactive
    // Renames local records from one machine name to another; returns how many records had the old name.
    std::function<std::int64_t(const std::string& from, const std::string& to)> rename_local_machine;
    // manifest.json text for a new gist (sync::Manifest::make_empty(now).serialize()); empty = built-in seed.
    std::function<std::string(const std::string& now_rfc3339)> make_empty_manifest;
};

enum class GistOrigin { Created, Adopted, Existing };
std::string_view gist_origin_name(GistOrigin origin);  // "created", "adopted", "existing"

struct SetupOutcome {
    std::string gist_id;
    std::string gist_url;
    std::string machine_name;
    std::string machine_id;
    GistOrigin origin = GistOrigin::Existing;
    std::string login;
    std::string token_source;                 // token_source_name() of the token used
    std::optional<std::string> renamed_from;  // local records renamed from this machine name
    std::int64_t renamed_records = 0;
    std::vector<std::string> changes;         // human lines; empty = nothing changed
    std::vector<std::string> warnings;
};

// `ccu gist setup` (docs/cli.md): token, machine name, gist (find / adopt / create), config.json.
SetupOutcome run_setup(const SetupOptions& options, const ccu::Environment& env, const ccu::Paths& paths,
                       ccu::Clock& clock, const SetupDeps& deps);

// The built-in seed manifest (docs/format.md §3 seed fields), used when no make_empty_manifest is given.
std::string seed_manifest_json(const std::string& now_rfc3339);

}  // namespace ccu::auth
