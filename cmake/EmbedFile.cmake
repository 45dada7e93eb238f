# Turns INPUT into a C++ source defining ccu::pricing::embedded_price_table().
file(READ ${INPUT} content)
set(delim "CCU_EMBED_")
file(WRITE ${OUTPUT} "// Generated from src/pricing/prices.json; do not edit.\n#include <string_view>\nnamespace ccu::pricing {\nstd::string_view embedded_price_table() {\n    static constexpr std::string_view text = R\"${delim}(${content})${delim}\";\n    return text;\n}\n}  // namespace ccu::pricing\n")
