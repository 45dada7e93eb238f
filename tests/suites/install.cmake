# Installs to a temporary prefix and unpacks the .deb into a temporary root (never the machine's
# /usr), then runs the installed binary: `ccu --version` and `ccu report daily` in a private HOME.
add_test(NAME install:prefix
         COMMAND ${PROJECT_SOURCE_DIR}/tests/install/check_install.sh prefix ${CMAKE_BINARY_DIR} $<TARGET_FILE:ccu>)
add_test(NAME install:deb
         COMMAND ${PROJECT_SOURCE_DIR}/tests/install/check_install.sh deb ${CMAKE_BINARY_DIR} $<TARGET_FILE:ccu>)
set_tests_properties(install:prefix install:deb PROPERTIES LABELS "install" TIMEOUT 300)
