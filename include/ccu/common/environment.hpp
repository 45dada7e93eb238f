#pragma once
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace ccu {

// A snapshot of the process environment, read once in cli/ and handed down: library code
// never calls getenv, so tests can run any configuration in-process.
class Environment {
public:
    Environment() = default;
    explicit Environment(std::map<std::string, std::string> vars) : vars_(std::move(vars)) {}
    static Environment from_process();

    // Unset and empty are the same: nullopt.
    std::optional<std::string> get(const std::string& name) const;
    void set(const std::string& name, std::string value) { vars_[name] = std::move(value); }

private:
    std::map<std::string, std::string> vars_;
};

// Every place ccu reads or writes (docs/format.md §1 "What ccu touches"), resolved from the environment.
struct Paths {
    std::filesystem::path home;
    std::filesystem::path claude_dir;            // ~/.claude (read only, except data_dir)
    std::vector<std::filesystem::path> projects_dirs;  // existing or not; deduplicated, in order
    std::filesystem::path legacy_db_dir;         // ~/.claude/usage (origin tool's usage_history_*.db)
    std::filesystem::path data_dir;              // $CCU_DATA_DIR or ~/.claude/usage/ccu
    std::filesystem::path config_dir;            // $XDG_CONFIG_HOME/ccu or ~/.config/ccu

    std::filesystem::path store_file() const { return data_dir / "ccu.db"; }
    std::filesystem::path lock_file() const { return data_dir / "ccu.lock"; }
    std::filesystem::path config_file() const { return config_dir / "config.json"; }
    std::filesystem::path token_file() const { return config_dir / "token"; }

    static Paths resolve(const Environment& env);
};

}  // namespace ccu
