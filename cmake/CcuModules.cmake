# Each folder under src/ is one static library ccu_<module>; ccu_core aggregates them all.
# Sources are globbed per folder so adding a file needs no CMake edit.
#
# A module's public headers are published through a view of its own, <build>/include-views/<m>,
# holding only the link ccu/<m> -> include/ccu/<m>. A target therefore finds the headers of the
# modules it links (its own and, through PUBLIC propagation, its dependencies' transitively) and
# no others: including an undeclared module's header is a compile error, not a convention.
function(ccu_module_view name out)
  set(view ${CMAKE_BINARY_DIR}/include-views/${name})
  file(MAKE_DIRECTORY ${view}/ccu)
  if(EXISTS ${PROJECT_SOURCE_DIR}/include/ccu/${name})
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/ccu/${name} ${view}/ccu/${name} SYMBOLIC)
  endif()
  set(${out} ${view} PARENT_SCOPE)
endfunction()

function(ccu_add_module name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${name}/*.cpp)
  ccu_module_view(${name} view)
  if(NOT sources)
    # A module with no sources yet is header-only for now.
    add_library(ccu_${name} INTERFACE)
    target_include_directories(ccu_${name} INTERFACE ${view})
    target_link_libraries(ccu_${name} INTERFACE ${ARG_DEPS})
    return()
  endif()
  add_library(ccu_${name} STATIC ${sources})
  target_include_directories(ccu_${name} PUBLIC ${view}
                                         PRIVATE ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(ccu_${name} PUBLIC ${ARG_DEPS})
  ccu_apply_warnings(ccu_${name})
  if(name STREQUAL "cli")
    ccu_precompile(ccu_${name} <CLI/CLI.hpp>)
  else()
    ccu_precompile(ccu_${name})
  endif()
endfunction()

# A dependency of <name> on other modules that the layer check (cmake/check_layers.py) reports
# as a known violation instead of failing; it is linked like a declared one.
function(ccu_allow_layer_violation name)
  target_link_libraries(ccu_${name} PUBLIC ${ARGN})
endfunction()

# A Catch2 test binary test_<name> from tests/unit/<name>/*.cpp, discovered by ctest.
function(ccu_add_unit_tests name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  file(GLOB sources CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/unit/${name}/*.cpp)
  if(NOT sources)
    return()
  endif()
  add_executable(test_${name} ${sources} ${PROJECT_SOURCE_DIR}/src/lsan_suppressions.cpp)
  target_link_libraries(test_${name} PRIVATE ${ARG_DEPS} ccu_test_support Catch2::Catch2WithMain)
  target_include_directories(test_${name} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  ccu_apply_warnings(test_${name})
  ccu_precompile(test_${name} <catch2/catch.hpp>)
  # A discovered name that matches no case (a name ctest mangled, e.g. split at ';') must fail
  # instead of passing with "No tests ran". `--warn NoTests` would do it, but Catch2 v2.13 takes
  # `--warn` only once ("Unrecognised token: --warn") and NoAssertions is kept; Catch prints
  # "No test cases matched '<name>'" for such a name with or without the flag, so that output
  # fails the test. cmake/check_test_counts.py (ctest checks:test_counts) checks both settings
  # and the list itself. catch_discover_tests flattens PROPERTIES into one list, so each property
  # can carry one value only (the former LABELS "unit;<m>" came out as the label "unit" alone).
  catch_discover_tests(test_${name}
    TEST_PREFIX "${name}:"
    PROPERTIES FAIL_REGULAR_EXPRESSION "No test cases matched" LABELS unit
    EXTRA_ARGS --warn NoAssertions)
endfunction()
