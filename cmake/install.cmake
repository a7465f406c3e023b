# cmake --install: the tools, the reference implementations, the harness
# library with its public headers, the shipped data, and a package config
# (find_package(otaconf CONFIG)) with ctest helpers. The tree is relocatable:
# otaconf finds share/otaconf and its companions from its own location
# (harness/include/otaconf/paths.h). cpack -G DEB packs the same tree.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(OTACONF_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/otaconf)

# Executables beside each other (otaconf finds the adapters beside itself).
install(TARGETS otaconf ota-refserver EXPORT otaconfTargets RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS otaclient-adapter otaclient-adapter-asan RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The reference parser as a C ABI library, where otaconf looks for companions.
install(TARGETS otaclient_adapter LIBRARY DESTINATION lib/otaconf)
install(TARGETS otaconf_harness otaconf_adapter_abi otaconf_server_abi otaconf_fuzz_support EXPORT otaconfTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/harness/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# share/otaconf: what paths::data_dir() holds in the build tree too.
set(OTACONF_DATA ${CMAKE_INSTALL_DATADIR}/otaconf)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/spec/ DESTINATION ${OTACONF_DATA}/spec)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/corpus/vectors/response/ DESTINATION ${OTACONF_DATA}/vectors)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/reference/fixtures/ DESTINATION ${OTACONF_DATA}/fixtures)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/corpus/ DESTINATION ${OTACONF_DATA}/corpus PATTERN vectors EXCLUDE)
install(FILES ${PROJECT_SOURCE_DIR}/reports/results.schema.json DESTINATION ${OTACONF_DATA}/schema)
# otaconf_add_client_fuzzer and otaconf_add_server_fuzzer: the targets'
# sources, the replay main, the oracles' headers and the spec's dictionary.
install(FILES ${PROJECT_SOURCE_DIR}/fuzz/adapter_fuzzer.cc ${PROJECT_SOURCE_DIR}/fuzz/server_handler_fuzzer.cc
              ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cc
              ${PROJECT_BINARY_DIR}/fuzz/otaconf.dict DESTINATION ${OTACONF_DATA}/fuzz)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/fuzz/support/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/otaconf_fuzz/support
        FILES_MATCHING PATTERN "*.h")

install(EXPORT otaconfTargets NAMESPACE otaconf:: DESTINATION ${OTACONF_CMAKE_DIR})
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/otaconfConfig.cmake.in
                              ${PROJECT_BINARY_DIR}/cmake/otaconfConfig.cmake INSTALL_DESTINATION ${OTACONF_CMAKE_DIR}
                              PATH_VARS OTACONF_DATA)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cmake/otaconfConfigVersion.cmake
                                 VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/cmake/otaconfConfig.cmake ${PROJECT_BINARY_DIR}/cmake/otaconfConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/otaconf-helpers.cmake DESTINATION ${OTACONF_CMAKE_DIR})

# ---- a Debian package: cpack -G DEB (in the build directory) ---------------
set(CPACK_PACKAGE_NAME otaconf)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "otaconf maintainers <otaconf@users.noreply.github.com>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Conformance and fuzz test suite for the OneNET OTA device API")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # runtime libraries from dpkg-shlibdeps
# What the installed package config and headers need to be used.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "cmake (>= 3.25), nlohmann-json3-dev (>= 3.10), libssl-dev, libre2-dev, pkg-config")
include(CPack)
