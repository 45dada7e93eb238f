# A first session in a real terminal: tmux drives setup (token prompt), push, pull, status and
# auto-sync on/off against the fake Gist server (tests/tmux/run_tmux_session.sh).
find_program(CCU_TMUX tmux)
if(CCU_TMUX)
  add_test(NAME tmux:first-session
           COMMAND ${PROJECT_SOURCE_DIR}/tests/tmux/run_tmux_session.sh $<TARGET_FILE:ccu>
                   ${PROJECT_SOURCE_DIR}/tests/fake_gist/fake_gist_server.py)
  set_tests_properties(tmux:first-session PROPERTIES LABELS "tmux;e2e" TIMEOUT 120)
else()
  message(STATUS "tmux test SKIPPED: apt-get install tmux")
  add_test(NAME tmux:first-session COMMAND ${CMAKE_COMMAND} -E echo "SKIPPED: tmux not installed")
  set_tests_properties(tmux:first-session PROPERTIES LABELS "tmux" SKIP_REGULAR_EXPRESSION "SKIPPED")
endif()
