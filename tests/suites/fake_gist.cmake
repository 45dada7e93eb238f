# Self-test of the fake GitHub Gist server (API, raw and git hosts). Python 3 stdlib + git client.
add_test(NAME fake_gist:selftest
  COMMAND ${Python3_EXECUTABLE} -m unittest discover -v -s ${PROJECT_SOURCE_DIR}/tests/fake_gist -p "test_*.py"
  WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}/tests/fake_gist)
set_tests_properties(fake_gist:selftest PROPERTIES LABELS "fake_gist" TIMEOUT 300
  ENVIRONMENT "PYTHONDONTWRITEBYTECODE=1")
