# Self-test of the fake GitHub Gist API server (owner: fakegist). Python 3 stdlib only.
add_test(NAME fake_gist:selftest
  COMMAND ${Python3_EXECUTABLE} -m unittest -v test_fake_gist_server
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/fake_gist)
set_tests_properties(fake_gist:selftest PROPERTIES LABELS "fake_gist" TIMEOUT 120
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
