# install() rules and CPack: a .deb on Linux (`cpack -G DEB`), a zip on Windows (`cpack -G ZIP`
# in the mingw build). Included from the top CMakeLists.txt. .ci/package builds, installs and
# checks the .deb; .ci/windows packs the zip and runs golaunch.exe from it.
include(GNUInstallDirs)

set(CPACK_PACKAGE_NAME golaunch)
set(CPACK_PACKAGE_VENDOR golaunch)
set(CPACK_PACKAGE_CONTACT "golaunch maintainers <golaunch@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Launcher and supervisor for Go services in local development")
set(CPACK_PACKAGE_DESCRIPTION
    "golaunch replaces `go run` for local development: it reads a TOML manifest, checks the\
 ports, hosts file and firewall before anything starts, builds each Go package to a stable\
 path, starts the services in dependency order, watches every bind()/listen() they make and\
 supervises them.")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_STRIP_FILES ON)

if(WIN32)
  # The zip: golaunch.exe beside golaunch_hook.dll (where golaunch looks for it), the schema
  # beside them (where `golaunch init` looks for it), the README and the example.
  install(TARGETS golaunch golaunch_hook RUNTIME DESTINATION . LIBRARY DESTINATION .)
  install(FILES ${PROJECT_SOURCE_DIR}/config/golaunch.schema.json ${PROJECT_SOURCE_DIR}/README.md
          DESTINATION .)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION examples
          PATTERN .golaunch EXCLUDE)
  set(CPACK_GENERATOR ZIP)
  set(CPACK_PACKAGE_FILE_NAME golaunch-${PROJECT_VERSION}-windows-x86_64)
  set(CPACK_INCLUDE_TOPLEVEL_DIRECTORY ON)
else()
  install(TARGETS golaunch RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/config/golaunch.schema.json
          DESTINATION ${CMAKE_INSTALL_DATADIR}/golaunch)
  install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
          PATTERN .golaunch EXCLUDE)
  # The completion scripts and the --help text of every command, made by the golaunch just
  # built (config/package_texts.cmake).
  set(texts ${CMAKE_BINARY_DIR}/package-texts)
  add_custom_command(
    OUTPUT ${texts}/golaunch.bash ${texts}/_golaunch ${texts}/golaunch.fish ${texts}/help.txt
    COMMAND ${CMAKE_COMMAND} -DGOLAUNCH=$<TARGET_FILE:golaunch> -DOUT=${texts} -P
            ${PROJECT_SOURCE_DIR}/config/package_texts.cmake
    DEPENDS golaunch ${PROJECT_SOURCE_DIR}/config/package_texts.cmake
    COMMENT "completion scripts and --help text for the package")
  add_custom_target(golaunch_package_texts ALL
    DEPENDS ${texts}/golaunch.bash ${texts}/_golaunch ${texts}/golaunch.fish ${texts}/help.txt)
  install(FILES ${texts}/golaunch.bash DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
          RENAME golaunch)
  install(FILES ${texts}/_golaunch DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
  install(FILES ${texts}/golaunch.fish DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
  install(FILES ${texts}/help.txt DESTINATION ${CMAKE_INSTALL_DOCDIR})

  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION devel)
  set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://localhost/golaunch")
  # Only glibc is linked dynamically (libstdc++ and libseccomp are static in a Release build):
  # dpkg-shlibdeps (package dpkg-dev) works out the libc6 version when it is there.
  find_program(GOLAUNCH_DPKG_SHLIBDEPS dpkg-shlibdeps)
  if(GOLAUNCH_DPKG_SHLIBDEPS)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  else()
    set(CPACK_DEBIAN_PACKAGE_DEPENDS "libc6 (>= 2.34)")
  endif()
  set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "golang-go")
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "nftables, bash-completion")
endif()
include(CPack)
