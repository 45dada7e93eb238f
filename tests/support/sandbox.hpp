#pragma once
#include <filesystem>
#include <map>
#include <string>

#include "ccu/common/environment.hpp"

namespace ccu::test {

// A private temp directory tree standing in for a user's machine: HOME, XDG_*, CCU_DATA_DIR and
// CLAUDE_CONFIG_DIR all point inside it, so no test touches the real home. Removed on destruction.
class Sandbox {
public:
    Sandbox();
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    const std::filesystem::path& root() const { return root_; }
    std::filesystem::path home() const { return root_ / "home"; }
    std::filesystem::path claude_dir() const { return home() / ".claude"; }
    std::filesystem::path projects_dir() const { return claude_dir() / "projects"; }
    std::filesystem::path data_dir() const { return root_ / "ccu-data"; }
    std::filesystem::path config_dir() const { return root_ / "xdg-config"; }

    // Variables for a child process or an in-process Environment. PATH and locale are kept.
    std::map<std::string, std::string> vars() const;
    Environment environment() const { return Environment(vars()); }
    void set(const std::string& name, std::string value) { extra_[name] = std::move(value); }
    void unset(const std::string& name) { removed_.push_back(name); }

private:
    std::filesystem::path root_;
    std::map<std::string, std::string> extra_;
    std::vector<std::string> removed_;
};

}  // namespace ccu::test
