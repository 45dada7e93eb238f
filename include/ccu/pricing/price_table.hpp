#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "ccu/common/cost_model.hpp"
#include "ccu/common/record.hpp"

namespace ccu::pricing {

// src/pricing/prices.json, compiled in by cmake/EmbedFile.cmake.
std::string_view embedded_price_table();

// Rates of one model in USD per token (the file stores USD per million tokens).
// `*_above_200k` rates apply to the tokens of a bucket beyond the long-context threshold
// (marginal, per bucket: ccusage's rule for LiteLLM's `*_above_200k_tokens` fields).
struct ModelPrice {
    double input = 0;
    double output = 0;
    double cache_write_5m = 0;
    double cache_write_1h = 0;
    double cache_read = 0;
    std::optional<double> input_above_200k;
    std::optional<double> output_above_200k;
    std::optional<double> cache_write_5m_above_200k;
    std::optional<double> cache_write_1h_above_200k;
    std::optional<double> cache_read_above_200k;
    double fast_multiplier = 1.0;  // Claude Code "speed": "fast" (not carried by UsageRecord)
};

// Token counts of one response with the cache-write split Claude Code logs
// (`usage.cache_creation.ephemeral_5m/1h_input_tokens`); without the split all cache
// writes count as 5m, as ccusage does.
struct TokenCounts {
    std::int64_t input = 0;
    std::int64_t output = 0;
    std::int64_t cache_write_5m = 0;
    std::int64_t cache_write_1h = 0;
    std::int64_t cache_read = 0;
};

// `tokens` at `base`, those beyond `threshold` at `above` when given (ccusage tiered_cost).
double tiered_cost(std::int64_t tokens, double base, std::optional<double> above, std::int64_t threshold);
double cost_for(const ModelPrice& price, const TokenCounts& tokens, std::int64_t threshold);

// ccusage's separator normalization: lower case, '.' and '@' become '-'.
std::string normalized_model_key(std::string_view model);

class PriceTable {
public:
    PriceTable();
    ~PriceTable();
    PriceTable(PriceTable&&) noexcept;
    PriceTable& operator=(PriceTable&&) noexcept;

    static const PriceTable& embedded();  // src/pricing/prices.json compiled in
    // Throws ccu::Error(Unexpected) naming the problem when the text is not a price table.
    static PriceTable parse(std::string_view json_text);

    // ccusage "auto" mode: record.cost_usd when present, else computed from tokens;
    // unknown model -> 0.
    double cost_of(const ccu::UsageRecord& record) const;
    double computed_cost(const ccu::UsageRecord& record) const;  // ignores record.cost_usd
    double computed_cost(std::string_view model, const TokenCounts& tokens) const;
    bool knows(std::string_view model) const;

    // Exact id first, then ccusage's matcher: every entry whose key contains the model name,
    // or is contained in it, on separator boundaries (a date suffix -YYYYMMDD may follow,
    // a version number may not: "claude-opus-4" never prices "claude-opus-4-6"), also after
    // normalized_model_key; the longest key wins, ties go to the smaller key. Thread-safe.
    const ModelPrice* find(std::string_view model) const;

    const std::string& updated() const { return updated_; }
    const std::string& source() const { return source_; }
    std::size_t size() const { return models_.size(); }
    std::int64_t long_context_threshold() const { return threshold_; }
    // A hash of the text the table was parsed from (CostModel::fingerprint).
    const std::string& fingerprint() const { return fingerprint_; }

private:
    struct Cache;
    const ModelPrice* find_uncached(std::string_view model) const;

    std::map<std::string, ModelPrice, std::less<>> models_;
    std::string updated_;
    std::string source_;
    std::string fingerprint_;
    std::int64_t threshold_ = 200000;
    std::unique_ptr<Cache> cache_;
};

// Models that had to be priced at 0 because the table does not know them. Library code
// never prints: callers collect here and warn once per name.
// The rule UnknownModels applies to one record: priced at 0 because its model is unknown.
bool is_unpriced(const PriceTable& table, const ccu::UsageRecord& record);

class UnknownModels {
public:
    // Notes record.model when the record's cost would be computed (no cost_usd), it has
    // tokens and the table does not know its model (ccusage's "missing pricing" rule).
    void note(const PriceTable& table, const ccu::UsageRecord& record);
    const std::set<std::string>& names() const { return names_; }

private:
    std::set<std::string> names_;
};

// The store's view of `table` (which must outlive it): cost_of and is_unpriced per record.
CostModel cost_model(const PriceTable& table);

}  // namespace ccu::pricing
