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

namespace ccu::sync {

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

// Side effects setup needs, handed in by the CLI. The flow lives in sync/ so that it reads and
// writes manifest.json with sync's Manifest and applies push's machine-name rule.
struct SetupDeps {
    std::function<std::unique_ptr<gist::GistApi>(const std::string& token)> make_api;
    auth::StoreOpener open_store;
    auth::Prompter* prompter = nullptr;  // required when interactive
    // Renames local records from one machine name to another; returns how many records had the old name.
    std::function<std::int64_t(const std::string& from, const std::string& to)> rename_local_machine;
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

// What --gist-id accepts: an ID, or the gist's URL as the browser shows it
// ("https://gist.github.com/alice/8c20b5bf...", also with a trailing '/', ".git", "#file-...", or
// "gist.github.com/8c20b5bf..."). Returns the ID; throws ccu::Error(Usage) for anything else.
std::string gist_id_from_argument(std::string_view text);


}  // namespace ccu::sync
