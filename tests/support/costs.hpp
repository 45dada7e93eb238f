#pragma once
// The cost model tests open stores with: the embedded price table, as the CLI uses it.
// Header-only (tests/support links only ccu_common); include it from suites that link ccu_pricing.
#include "ccu/pricing/price_table.hpp"

namespace ccu::test {

inline CostModel embedded_costs() { return pricing::cost_model(pricing::PriceTable::embedded()); }

}  // namespace ccu::test
