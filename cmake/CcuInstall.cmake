# `cmake --install` and the .deb: the binary, ccu(1), and bash/zsh/fish completions where each
# shell looks for vendor completions on Debian.
include(GNUInstallDirs)
install(TARGETS ccu RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/docs/ccu.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/docs/completions/ccu.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME ccu)
install(FILES ${PROJECT_SOURCE_DIR}/docs/completions/_ccu DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/docs/completions/ccu.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME ccu)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "ccu maintainers <ccu@example.org>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Durable, multi-machine Claude Code usage records synced through a GitHub Gist")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
# The Debian 12 runtime packages of every NEEDED entry of the binary (objdump -p build/*/ccu and
# dpkg -S on each library) and of the libraries it opens at run time (libcurl4, libsecret-1-0,
# libglib2.0-0, libgit2-1.5: cmake/CcuRuntimeLibraries.cmake); checked by tests/suites/install.cmake.
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "libc6 (>= 2.36), libstdc++6 (>= 12), libgcc-s1, libcurl4 (>= 7.88), libsqlite3-0, libsecret-1-0, libglib2.0-0, libspdlog1.10, libfmt9, libsimdjson14, libgit2-1.5")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "cron | systemd")
include(CPack)
