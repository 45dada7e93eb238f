#include "support/sandbox.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace ccu::test {
namespace fs = std::filesystem;

Sandbox::Sandbox() {
    std::string tmpl = (fs::temp_directory_path() / "ccu-test-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    root_ = tmpl;
    for (const char* d : {"home", "home/.claude/projects", "xdg-config", "xdg-data", "xdg-cache",
                          "xdg-runtime", "ccu-data"}) {
        fs::create_directories(root_ / d);
    }
    fs::permissions(root_ / "xdg-runtime", fs::perms::owner_all);
}

Sandbox::~Sandbox() {
    std::error_code ec;
    fs::remove_all(root_, ec);
}

std::map<std::string, std::string> Sandbox::vars() const {
    std::map<std::string, std::string> v;
    for (const char* keep : {"PATH", "LANG", "LC_ALL", "TMPDIR"}) {
        if (const char* value = std::getenv(keep)) v[keep] = value;
    }
    v["HOME"] = home().string();
    v["XDG_CONFIG_HOME"] = config_dir().string();
    v["XDG_DATA_HOME"] = (root_ / "xdg-data").string();
    v["XDG_CACHE_HOME"] = (root_ / "xdg-cache").string();
    v["XDG_RUNTIME_DIR"] = (root_ / "xdg-runtime").string();
    v["CCU_DATA_DIR"] = data_dir().string();
    v["CLAUDE_CONFIG_DIR"] = claude_dir().string();
    for (const auto& [k, value] : extra_) v[k] = value;
    for (const auto& k : removed_) v.erase(k);
    return v;
}

}  // namespace ccu::test
