#include "pricing/model_match.hpp"

#include <cctype>
#include <cstddef>

#include "ccu/pricing/price_table.hpp"

namespace ccu::pricing {

std::string normalized_model_key(std::string_view model) {
    std::string out(model);
    for (char& c : out) {
        if (c == '.' || c == '@') {
            c = '-';
        } else {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
    }
    return out;
}

namespace detail {
namespace {

constexpr std::size_t kDateSuffixDigits = 8;  // Anthropic aliases: -YYYYMMDD

bool is_boundary(char c) { return std::isalnum(static_cast<unsigned char>(c)) == 0; }
bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

// "claude-opus-4" followed by "-6..." names another model version; followed by
// "-20250514" (a date) it is the same model.
bool suffix_starts_numeric_version(std::string_view key, std::string_view suffix) {
    if (key.empty() || !is_digit(key.back())) return false;
    if (suffix.empty() || (suffix.front() != '-' && suffix.front() != '.')) return false;
    std::string_view rest = suffix.substr(1);
    std::size_t digits = 0;
    while (digits < rest.size() && is_digit(rest[digits])) ++digits;
    if (digits == 0) return false;
    bool date_like = digits == kDateSuffixDigits && (digits == rest.size() || is_boundary(rest[digits]));
    return !date_like;
}

bool suffix_allows_match(std::string_view key, std::string_view suffix) {
    if (suffix.empty()) return true;
    if (!is_boundary(suffix.front())) return false;
    return !suffix_starts_numeric_version(key, suffix);
}

}  // namespace

bool contains_key_on_boundary(std::string_view value, std::string_view key) {
    if (key.empty() || key.size() > value.size()) return false;
    for (std::size_t pos = value.find(key); pos != std::string_view::npos; pos = value.find(key, pos + 1)) {
        bool before_ok = pos == 0 || is_boundary(value[pos - 1]);
        if (before_ok && suffix_allows_match(key, value.substr(pos + key.size()))) return true;
    }
    return false;
}

bool key_matches(std::string_view candidate, std::string_view model, std::string_view normalized_model) {
    if (contains_key_on_boundary(model, candidate) || contains_key_on_boundary(candidate, model)) return true;
    std::string normalized_candidate = normalized_model_key(candidate);
    return contains_key_on_boundary(normalized_model, normalized_candidate) ||
           contains_key_on_boundary(normalized_candidate, normalized_model);
}

}  // namespace detail
}  // namespace ccu::pricing
