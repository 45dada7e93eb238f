#include "ccu/pricing/price_table.hpp"

#include <algorithm>
#include <mutex>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "ccu/common/error.hpp"
#include "pricing/model_match.hpp"

namespace ccu::pricing {

namespace {

constexpr double kPerMillion = 1'000'000.0;
constexpr std::string_view kSyntheticModel = "<synthetic>";

double rate(const nlohmann::json& entry, const char* key, double fallback) {
    auto it = entry.find(key);
    if (it == entry.end() || it->is_null()) return fallback;
    if (!it->is_number()) throw Error(ErrorKind::Unexpected, std::string("price table: '") + key + "' is not a number");
    return it->get<double>() / kPerMillion;
}

std::optional<double> optional_rate(const nlohmann::json& entry, const char* key) {
    if (!entry.contains(key) || entry.at(key).is_null()) return std::nullopt;
    return rate(entry, key, 0);
}

ModelPrice parse_model(const nlohmann::json& entry) {
    if (!entry.is_object()) throw Error(ErrorKind::Unexpected, "price table: a model entry is not an object");
    ModelPrice price;
    price.input = rate(entry, "input", 0);
    price.output = rate(entry, "output", 0);
    // ccusage's defaults when a source publishes no cache rates.
    price.cache_write_5m = rate(entry, "cache_write_5m", price.input * 1.25);
    price.cache_write_1h = rate(entry, "cache_write_1h", price.input * 2.0);
    price.cache_read = rate(entry, "cache_read", price.input * 0.1);
    price.input_above_200k = optional_rate(entry, "input_above_200k");
    price.output_above_200k = optional_rate(entry, "output_above_200k");
    price.cache_write_5m_above_200k = optional_rate(entry, "cache_write_5m_above_200k");
    price.cache_write_1h_above_200k = optional_rate(entry, "cache_write_1h_above_200k");
    price.cache_read_above_200k = optional_rate(entry, "cache_read_above_200k");
    if (entry.contains("fast_multiplier")) price.fast_multiplier = entry.at("fast_multiplier").get<double>();
    return price;
}

TokenCounts counts_of(const UsageRecord& record) {
    // Like ccusage: the 1-hour part of the cache writes at the 1h rate, the rest at the 5m rate
    // (a total without the breakdown is all 5m).
    const std::int64_t one_hour = std::min(record.cache_creation_1h_tokens, record.cache_creation_tokens);
    return TokenCounts{record.input_tokens, record.output_tokens, record.cache_creation_tokens - one_hour,
                       one_hour, record.cache_read_tokens};
}

}  // namespace

struct PriceTable::Cache {
    std::mutex mutex;
    std::unordered_map<std::string, const ModelPrice*> found;
    std::map<std::string, ModelPrice, std::less<>> fast;  // "<model>-fast" prices (node-stable)
};

PriceTable::PriceTable() : cache_(std::make_unique<Cache>()) {}
PriceTable::~PriceTable() = default;
PriceTable::PriceTable(PriceTable&&) noexcept = default;
PriceTable& PriceTable::operator=(PriceTable&&) noexcept = default;

double tiered_cost(std::int64_t tokens, double base, std::optional<double> above, std::int64_t threshold) {
    if (tokens <= 0) return 0.0;
    if (above && tokens > threshold) {
        return static_cast<double>(threshold) * base + static_cast<double>(tokens - threshold) * *above;
    }
    return static_cast<double>(tokens) * base;
}

double cost_for(const ModelPrice& p, const TokenCounts& t, std::int64_t threshold) {
    return tiered_cost(t.input, p.input, p.input_above_200k, threshold) +
           tiered_cost(t.output, p.output, p.output_above_200k, threshold) +
           tiered_cost(t.cache_write_5m, p.cache_write_5m, p.cache_write_5m_above_200k, threshold) +
           tiered_cost(t.cache_write_1h, p.cache_write_1h, p.cache_write_1h_above_200k, threshold) +
           tiered_cost(t.cache_read, p.cache_read, p.cache_read_above_200k, threshold);
}

PriceTable PriceTable::parse(std::string_view json_text) {
    nlohmann::json doc = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || !doc.contains("models") || !doc.at("models").is_object()) {
        throw Error(ErrorKind::Unexpected, "price table: not a JSON object with a 'models' object");
    }
    PriceTable table;
    table.updated_ = doc.value("updated", "");
    table.source_ = doc.value("source", "");
    table.threshold_ = doc.value("long_context_threshold_tokens", std::int64_t{200000});
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (const char c : json_text) {
        h ^= static_cast<unsigned char>(c);
        h *= 1099511628211ULL;
    }
    table.fingerprint_ = std::to_string(h);
    for (const auto& [name, entry] : doc.at("models").items()) {
        table.models_.emplace(name, parse_model(entry));
    }
    return table;
}

const PriceTable& PriceTable::embedded() {
    static const PriceTable table = parse(embedded_price_table());
    return table;
}

namespace {

constexpr std::string_view kFastSuffix = "-fast";

ModelPrice scaled(const ModelPrice& base, double factor) {
    auto scale = [factor](std::optional<double> v) { return v ? std::optional<double>(*v * factor) : v; };
    ModelPrice p = base;
    p.input *= factor;
    p.output *= factor;
    p.cache_write_5m *= factor;
    p.cache_write_1h *= factor;
    p.cache_read *= factor;
    p.input_above_200k = scale(p.input_above_200k);
    p.output_above_200k = scale(p.output_above_200k);
    p.cache_write_5m_above_200k = scale(p.cache_write_5m_above_200k);
    p.cache_write_1h_above_200k = scale(p.cache_write_1h_above_200k);
    p.cache_read_above_200k = scale(p.cache_read_above_200k);
    p.fast_multiplier = 1.0;
    return p;
}

}  // namespace

const ModelPrice* PriceTable::find_uncached(std::string_view model) const {
    if (auto it = models_.find(model); it != models_.end()) return &it->second;
    // Claude Code's fast mode (usage.speed "fast"): ingest names the model "<model>-fast", as
    // ccusage does, which bills the base model's rates times its fast multiplier.
    if (model.size() > kFastSuffix.size() && model.ends_with(kFastSuffix)) {
        const ModelPrice* base = find_uncached(model.substr(0, model.size() - kFastSuffix.size()));
        if (base == nullptr) return nullptr;
        auto [it, inserted] = cache_->fast.try_emplace(std::string(model), scaled(*base, base->fast_multiplier));
        return &it->second;
    }
    const std::string normalized = normalized_model_key(model);
    const std::pair<const std::string, ModelPrice>* best = nullptr;
    for (const auto& entry : models_) {
        if (!detail::key_matches(entry.first, model, normalized)) continue;
        // Longest key wins; among equal lengths the smaller key (map order: first seen).
        if (best == nullptr || entry.first.size() > best->first.size()) best = &entry;
    }
    return best ? &best->second : nullptr;
}

const ModelPrice* PriceTable::find(std::string_view model) const {
    if (model.empty() || model == kSyntheticModel) return nullptr;
    std::lock_guard lock(cache_->mutex);
    auto [it, inserted] = cache_->found.try_emplace(std::string(model), nullptr);
    if (inserted) it->second = find_uncached(model);
    return it->second;
}

bool PriceTable::knows(std::string_view model) const { return find(model) != nullptr; }

double PriceTable::computed_cost(std::string_view model, const TokenCounts& tokens) const {
    const ModelPrice* price = find(model);
    return price ? cost_for(*price, tokens, threshold_) : 0.0;
}

double PriceTable::computed_cost(const UsageRecord& record) const {
    return computed_cost(record.model, counts_of(record));
}

double PriceTable::cost_of(const UsageRecord& record) const {
    return record.cost_usd ? *record.cost_usd : computed_cost(record);
}

bool is_unpriced(const PriceTable& table, const UsageRecord& record) {
    if (record.cost_usd || record.total_tokens() == 0) return false;
    if (record.model.empty() || record.model == kSyntheticModel) return false;
    return !table.knows(record.model);
}

void UnknownModels::note(const PriceTable& table, const UsageRecord& record) {
    if (is_unpriced(table, record)) names_.insert(record.model);
}

CostModel cost_model(const PriceTable& table) {
    return {table.fingerprint(), [&table](const UsageRecord& record) {
                return RecordCost{table.cost_of(record), is_unpriced(table, record)};
            }};
}

}  // namespace ccu::pricing
