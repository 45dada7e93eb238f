# Differential test : `ccu report daily|monthly|session --json` vs ccusage 20.0.24
# on the same generated tree (tests/ccusage/run_diff.sh). ccusage is installed with npm into the
# build dir on first run; the test is skipped, visibly, only when npm or the registry is missing.
add_test(NAME ccusage:report-diff
         COMMAND bash ${PROJECT_SOURCE_DIR}/tests/ccusage/run_diff.sh $<TARGET_FILE:ccu>
                 ${CMAKE_BINARY_DIR}/ccusage-diff 1)
set_tests_properties(ccusage:report-diff PROPERTIES
  LABELS "ccusage;report" TIMEOUT 600 SKIP_RETURN_CODE 77 SKIP_REGULAR_EXPRESSION "SKIPPED: npm/ccusage unavailable")

# The same comparison over the realistic generator tree (5m/1h cache writes, streamed responses).
if(CCU_BUILD_BENCH)
  add_test(NAME ccusage:report-diff-realistic-tree
           COMMAND bash ${PROJECT_SOURCE_DIR}/tests/ccusage/run_diff.sh $<TARGET_FILE:ccu>
                   ${CMAKE_BINARY_DIR}/ccusage-diff 7 $<TARGET_FILE:bench_gen_tree>)
  set_tests_properties(ccusage:report-diff-realistic-tree PROPERTIES
    LABELS "ccusage;report" TIMEOUT 600 SKIP_RETURN_CODE 77 SKIP_REGULAR_EXPRESSION "SKIPPED: npm/ccusage unavailable"
    RESOURCE_LOCK ccusage-npm)
  set_tests_properties(ccusage:report-diff PROPERTIES RESOURCE_LOCK ccusage-npm)
endif()
