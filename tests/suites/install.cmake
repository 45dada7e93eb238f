# Installs to a temporary prefix and unpacks the .deb into a temporary root (never the machine's
# /usr), then runs the installed binary: `ccu --version` and `ccu report daily` in a private HOME.
# The libraries ccu opens at run time (cmake/CcuRuntimeLibraries.cmake) need packages in Depends too.
set(ccu_runtime_sonames ${CCU_LIBCURL_SONAME} ${CCU_LIBGIT2_SONAME} ${CCU_LIBSECRET_SONAME} ${CCU_GLIB_SONAME})
add_test(NAME install:prefix
         COMMAND ${PROJECT_SOURCE_DIR}/tests/install/check_install.sh prefix ${CMAKE_BINARY_DIR} $<TARGET_FILE:ccu>)
add_test(NAME install:deb
         COMMAND ${PROJECT_SOURCE_DIR}/tests/install/check_install.sh deb ${CMAKE_BINARY_DIR} $<TARGET_FILE:ccu>
                 ${ccu_runtime_sonames})
set_tests_properties(install:prefix install:deb PROPERTIES LABELS "install" TIMEOUT 300)
# The Depends check itself fails when a library's package is missing: the real Depends list
# without libgit2-1.5 must be refused, naming the package.
string(REGEX REPLACE ", *libgit2-1\\.5" "" ccu_depends_without_git "${CPACK_DEBIAN_PACKAGE_DEPENDS}")
add_test(NAME install:deb-depends-refuses-a-missing-library
         COMMAND ${PROJECT_SOURCE_DIR}/tests/install/check_depends.sh $<TARGET_FILE:ccu> "${ccu_depends_without_git}"
                 ${ccu_runtime_sonames})
set_tests_properties(install:deb-depends-refuses-a-missing-library PROPERTIES LABELS "install"
                     PASS_REGULAR_EXPRESSION "Depends lacks libgit2-1\\.5 \\(for libgit2\\.so")
