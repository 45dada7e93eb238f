#pragma once
// How a record is priced, as a value: the store keeps each record's cost and the sums per usage
// bucket, but prices are not the store's business (it is a leaf). Whoever owns the price table
// builds one (pricing::cost_model) and hands it to store::Store.
#include <functional>
#include <string>

#include "ccu/common/record.hpp"

namespace ccu {

struct RecordCost {
    double cost = 0;        // ccusage's auto mode: the record's cost_usd, else computed
    bool unpriced = false;  // computed, has tokens, model unknown (priced at 0)
};

struct CostModel {
    // Identifies the prices: when it differs from the one the stored costs were computed with,
    // the store recomputes every cost and bucket once.
    std::string fingerprint;
    std::function<RecordCost(const UsageRecord&)> cost_of;
};

}  // namespace ccu
