#pragma once
#include <string_view>

namespace ccu::pricing::detail {

// True when `key` occurs in `value` with a separator (or the start) before it and an
// allowed suffix after it: nothing, or a separator that does not start a numeric model
// version ("-6" after "claude-opus-4"); an 8-digit date suffix is allowed.
bool contains_key_on_boundary(std::string_view value, std::string_view key);

// ccusage pricing_key_matches: either name contains the other, raw or normalized.
bool key_matches(std::string_view candidate, std::string_view model, std::string_view normalized_model);

}  // namespace ccu::pricing::detail
