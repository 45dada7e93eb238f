# Self-test of the fake GitHub Gist API server. Python 3 stdlib only.
add_test(NAME fake_gist:selftest
  COMMAND ${Python3_EXECUTABLE} -m unittest discover -v -s ${PROJECT_SOURCE_DIR}/tests/fake_gist -p "test_*.py"
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/fake_gist)
set_tests_properties(fake_gist:selftest PROPERTIES LABELS "fake_gist" TIMEOUT 180
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
