# The real Secret Service path (tests/keyring/run_keyring_tests.sh) against a private
# gnome-keyring-daemon on a private session bus. Skipped, visibly, only when the packages are missing.
find_program(CCU_DBUS_RUN_SESSION dbus-run-session)
find_program(CCU_GNOME_KEYRING_DAEMON gnome-keyring-daemon)
find_program(CCU_SECRET_TOOL secret-tool)
if(TARGET test_auth AND CCU_DBUS_RUN_SESSION AND CCU_GNOME_KEYRING_DAEMON AND CCU_SECRET_TOOL)
  add_test(NAME keyring:gnome-keyring
           COMMAND ${CCU_DBUS_RUN_SESSION} -- ${PROJECT_SOURCE_DIR}/tests/keyring/run_keyring_tests.sh
                   $<TARGET_FILE:test_auth> $<TARGET_FILE:ccu>)
  set_tests_properties(keyring:gnome-keyring PROPERTIES LABELS "keyring;auth" TIMEOUT 120)
else()
  message(STATUS "keyring tests SKIPPED: need dbus-run-session, gnome-keyring-daemon and secret-tool "
                 "(apt-get install dbus gnome-keyring libsecret-tools)")
  add_test(NAME keyring:gnome-keyring
           COMMAND ${CMAKE_COMMAND} -E echo "SKIPPED: gnome-keyring/dbus/libsecret-tools not installed")
  set_tests_properties(keyring:gnome-keyring PROPERTIES LABELS "keyring;auth" SKIP_REGULAR_EXPRESSION "SKIPPED")
endif()
