# Precompiled headers for the heavy third-party headers every file includes (nlohmann/json, spdlog,
# CLI11, Catch2). Off by default so debug builds stay simple; the ci and release presets turn it on,
# which roughly halves a full build on 2 cores.
option(CCU_PCH "Precompile heavy third-party headers" OFF)

function(ccu_precompile target)
  if(NOT CCU_PCH)
    return()
  endif()
  target_precompile_headers(${target} PRIVATE
    <algorithm> <filesystem> <map> <memory> <optional> <string> <string_view> <vector>
    <nlohmann/json.hpp> ${ARGN})
endfunction()
