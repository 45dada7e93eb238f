#include "ccu/common/environment.hpp"

#include <algorithm>
#include <cstdlib>

#include "ccu/common/error.hpp"
#include "ccu/common/text.hpp"

extern char** environ;

namespace ccu {
namespace fs = std::filesystem;

Environment Environment::from_process() {
    std::map<std::string, std::string> vars;
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const std::string kv(*entry);
        const auto eq = kv.find('=');
        if (eq != std::string::npos) vars.emplace(kv.substr(0, eq), kv.substr(eq + 1));
    }
    return Environment(std::move(vars));
}

std::optional<std::string> Environment::get(const std::string& name) const {
    const auto it = vars_.find(name);
    if (it == vars_.end() || it->second.empty()) return std::nullopt;
    return it->second;
}

Paths Paths::resolve(const Environment& env) {
    Paths p;
    const auto home = env.get("HOME");
    if (!home) {
        throw Error(ErrorKind::NotConfigured, "HOME is not set",
                    "set HOME to your home directory (cron sets it; check your crontab)");
    }
    p.home = fs::path(*home);
    p.claude_dir = p.home / ".claude";
    auto add_projects = [&p](const fs::path& dir) {
        const fs::path projects = dir.lexically_normal();
        if (std::find(p.projects_dirs.begin(), p.projects_dirs.end(), projects) == p.projects_dirs.end()) {
            p.projects_dirs.push_back(projects);
        }
    };
    if (const auto list = env.get("CLAUDE_CONFIG_DIR")) {
        for (const auto& item : split_trimmed(*list, ',')) add_projects(fs::path(item) / "projects");
    }
    const fs::path xdg_config = env.get("XDG_CONFIG_HOME").value_or((p.home / ".config").string());
    add_projects(p.home / ".config" / "claude" / "projects");
    add_projects(p.claude_dir / "projects");
    p.legacy_db_dir = p.claude_dir / "usage";
    p.data_dir = env.get("CCU_DATA_DIR") ? fs::path(*env.get("CCU_DATA_DIR")) : p.legacy_db_dir / "ccu";
    p.config_dir = fs::path(xdg_config) / "ccu";
    return p;
}

}  // namespace ccu
