# Checks of the build itself, run by `ctest` and so by `cmake --workflow --preset ci` (.ci/run).
# checks:layers       the include graph of src/ and include/ matches the DEPS in src/CMakeLists.txt,
#                     and only src/common/environment.cpp reads the environment (cmake/check_layers.py)
# checks:test_counts  every Catch binary's discovered ctest tests are exactly Catch's own list and
#                     carry --warn NoTests (cmake/check_test_counts.py)
# checks:selftest     both checkers fail on crafted violations (tests/checks/)
add_test(NAME checks:layers
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/cmake/check_layers.py ${PROJECT_SOURCE_DIR})
add_test(NAME checks:test_counts
  COMMAND ${Python3_EXECUTABLE} ${PROJECT_SOURCE_DIR}/cmake/check_test_counts.py
          --ctest ${CMAKE_CTEST_COMMAND} --build-dir ${PROJECT_BINARY_DIR})
add_test(NAME checks:selftest
  COMMAND ${Python3_EXECUTABLE} -m unittest discover -v -s ${PROJECT_SOURCE_DIR}/tests/checks -p "test_*.py")
set_tests_properties(checks:layers checks:test_counts checks:selftest PROPERTIES LABELS "checks" TIMEOUT 120
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
# checks:runtime_libraries  ccu has no NEEDED entry for the libraries it opens at run time, and
#                     --version, --help, scan, reports and the statusline load none of them
add_test(NAME checks:runtime_libraries
  COMMAND ${PROJECT_SOURCE_DIR}/tests/checks/runtime_libraries.sh $<TARGET_FILE:ccu>
          ${CCU_LIBCURL_SONAME} ${CCU_LIBGIT2_SONAME} ${CCU_LIBSECRET_SONAME} ${CCU_GLIB_SONAME})
set_tests_properties(checks:runtime_libraries PROPERTIES LABELS "checks" TIMEOUT 120)
