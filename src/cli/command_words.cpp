#include "cli/command_words.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <numeric>

namespace ccu::cli {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    std::iota(row.begin(), row.end(), std::size_t{0});
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::optional<std::string> nearest_word(std::string_view typed, const std::vector<std::string>& words) {
    std::optional<std::string> best;
    std::size_t best_distance = 3;
    for (const auto& w : words) {
        const std::size_t d = w.rfind(typed, 0) == 0 && !typed.empty() ? 1 : edit_distance(typed, w);
        if (d < best_distance) {
            best_distance = d;
            best = w;
        }
    }
    return best;
}

namespace {

std::vector<std::string> subcommand_names(CLI::App& app) {
    std::vector<std::string> names;
    for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) names.push_back(sub->get_name());
    return names;
}

}  // namespace

std::optional<std::string> unknown_subcommand_message(CLI::App& root, int argc, const char* const* argv) {
    CLI::App* app = &root;
    std::string path = root.get_name();
    for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word.empty() || word[0] == '-') continue;  // the apps on this path have flags only
        const auto names = subcommand_names(*app);
        if (names.empty()) return std::nullopt;  // a leaf: its positionals are CLI11's to judge
        if (std::find(names.begin(), names.end(), word) == names.end()) {
            std::string message = "unknown command '" + word + "' for '" + path + "'";
            if (const auto near = nearest_word(word, names)) {
                message += "; did you mean '" + *near + "'?";
            } else {
                std::string list;
                for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
                message += " (commands: " + list + ")";
            }
            return message;
        }
        app = app->get_subcommand(word);
        path += " " + word;
    }
    return std::nullopt;
}

void add_global_options_footer(CLI::App& app) {
    for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        sub->footer("Global options (before or after the command):\n"
                    "  --json                      One JSON document on stdout; human text on stderr\n"
                    "  -q,--quiet                  Print only warnings and errors\n"
                    "  -v,--verbose                More detail on stderr (-vv: debug, secrets redacted)");
        add_global_options_footer(*sub);
    }
}

}  // namespace ccu::cli
