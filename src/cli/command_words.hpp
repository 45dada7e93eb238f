#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace CLI {
class App;
}

namespace ccu::cli {

// Levenshtein distance (insertions, deletions, substitutions), for "did you mean".
std::size_t edit_distance(std::string_view a, std::string_view b);
// The nearest of `words` to `typed` when close enough to be a typo (distance <= 2, or a prefix).
std::optional<std::string> nearest_word(std::string_view typed, const std::vector<std::string>& words);

// Before CLI11 parses: the first word that is not a subcommand where one is required
// (`ccu gist psh`), as "unknown command 'psh' for 'ccu gist'; did you mean 'push'?". CLI11 alone
// says "A subcommand is required" and names neither.
std::optional<std::string> unknown_subcommand_message(CLI::App& root, int argc, const char* const* argv);

// Every subcommand's --help ends with the global options (they are defined once, on the root).
void add_global_options_footer(CLI::App& app);

}  // namespace ccu::cli
