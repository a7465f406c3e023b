# ctest helpers for projects that test their own OTA server or device parser
# with an installed otaconf (find_package(otaconf CONFIG), docs/ci.md). Each
# test leaves results.json, junit.xml and report.html in
# ${CMAKE_CURRENT_BINARY_DIR}/otaconf/<NAME>/ and fails on otaconf's exit
# status (1: a FAIL, 2: a usage error, 3: only ERRORs: docs/results.md).

# Writes <dir>/run.cmake: run otaconf with ARGS, render the report, fail on
# a non-zero exit. Arguments are kept as they are (bracket arguments).
function(_otaconf_add_run_test name dir)
  set(words "")
  foreach(arg IN LISTS ARGN)
    string(APPEND words " [==[${arg}]==]")
  endforeach()
  file(GENERATE OUTPUT ${dir}/run.cmake CONTENT "file(MAKE_DIRECTORY [==[${dir}]==])
execute_process(COMMAND [==[$<TARGET_FILE:otaconf::otaconf>]==]${words}
                        --results [==[${dir}/results.json]==] --junit [==[${dir}/junit.xml]==]
                RESULT_VARIABLE code)
if(EXISTS [==[${dir}/results.json]==])
  execute_process(COMMAND [==[$<TARGET_FILE:otaconf::otaconf>]==] report [==[${dir}/results.json]==]
                          -o [==[${dir}/report.html]==] OUTPUT_QUIET)
endif()
if(NOT code EQUAL 0)
  message(FATAL_ERROR \"otaconf exited \${code} (1: a FAIL, 2: a usage error, 3: only ERRORs); see ${dir}/report.html\")
endif()
")
  add_test(NAME ${name} COMMAND ${CMAKE_COMMAND} -P ${dir}/run.cmake)
  set_tests_properties(${name} PROPERTIES LABELS otaconf)
endfunction()

# otaconf_add_server_conformance(NAME n [URL u | COMMAND cmd] [FIXTURE f]
#                                [PROFILE p] [KEY k RES r] [ARGS ...])
# The server suite against URL, or against COMMAND started by otaconf ({port}
# in it becomes a free loopback port; stopped at the end), or, with neither,
# against the bundled ota-refserver (in the same PROFILE and FIXTURE).
function(otaconf_add_server_conformance)
  cmake_parse_arguments(O "" "NAME;URL;COMMAND;FIXTURE;PROFILE;KEY;RES" "ARGS" ${ARGN})
  if(NOT O_NAME)
    message(FATAL_ERROR "otaconf_add_server_conformance: NAME is required")
  endif()
  if(O_URL AND O_COMMAND)
    message(FATAL_ERROR "otaconf_add_server_conformance(${O_NAME}): give URL or COMMAND, not both")
  endif()
  set(args server)
  if(O_PROFILE)
    list(APPEND args --profile ${O_PROFILE})
  endif()
  if(O_FIXTURE)
    list(APPEND args --fixture ${O_FIXTURE})
  endif()
  if(O_KEY OR O_RES)
    list(APPEND args --key ${O_KEY} --res ${O_RES})
  endif()
  if(O_URL)
    list(APPEND args --url ${O_URL})
  elseif(O_COMMAND)
    list(APPEND args --start ${O_COMMAND})
  else()
    set(reference "\"$<TARGET_FILE:otaconf::ota-refserver>\" --port {port} --quiet")
    if(O_PROFILE)
      string(APPEND reference " --profile ${O_PROFILE}")
    endif()
    if(O_FIXTURE)
      string(APPEND reference " --fixture \"${O_FIXTURE}\"")
    endif()
    list(APPEND args --start ${reference} --implementation ota-refserver)
  endif()
  _otaconf_add_run_test(${O_NAME} ${CMAKE_CURRENT_BINARY_DIR}/otaconf/${O_NAME} ${args} ${O_ARGS})
endfunction()

# otaconf_add_client_conformance(NAME n ADAPTER_LIB <target or path> | ADAPTER_CMD <command>
#                                [PROFILE p] [ARGS ...])
# The client suite (response vectors and properties) against a parser: a
# library implementing otaconf_adapter.h, or a command speaking the
# subprocess protocol.
function(otaconf_add_client_conformance)
  cmake_parse_arguments(O "" "NAME;ADAPTER_LIB;ADAPTER_CMD;PROFILE" "ARGS" ${ARGN})
  if(NOT O_NAME OR (NOT O_ADAPTER_LIB AND NOT O_ADAPTER_CMD) OR (O_ADAPTER_LIB AND O_ADAPTER_CMD))
    message(FATAL_ERROR "otaconf_add_client_conformance: NAME and one of ADAPTER_LIB, ADAPTER_CMD are required")
  endif()
  set(args client)
  if(O_ADAPTER_LIB)
    if(TARGET ${O_ADAPTER_LIB})
      list(APPEND args --adapter-lib $<TARGET_FILE:${O_ADAPTER_LIB}>)
    else()
      list(APPEND args --adapter-lib ${O_ADAPTER_LIB})
    endif()
  else()
    list(APPEND args --adapter-cmd ${O_ADAPTER_CMD})
  endif()
  if(O_PROFILE)
    list(APPEND args --profile ${O_PROFILE})
  endif()
  _otaconf_add_run_test(${O_NAME} ${CMAKE_CURRENT_BINARY_DIR}/otaconf/${O_NAME} ${args} ${O_ARGS})
endfunction()

# A fuzz target `name` from the installed fuzz/<source> with its ctest test
# over the seed corpus corpus/<seeds>: with clang a libFuzzer binary run once
# over every seed, otherwise the source with the replay main; linked with
# the fuzz oracles and `libs`.
function(_otaconf_add_fuzz_target name source seeds libs)
  set(fuzz ${OTACONF_DATA_DIR}/fuzz)
  set(corpus ${OTACONF_DATA_DIR}/corpus/${seeds})
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_executable(${name} ${fuzz}/${source})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${name} COMMAND ${name} -runs=0 -dict=${fuzz}/otaconf.dict ${corpus})
  else()
    add_executable(${name} ${fuzz}/${source} ${fuzz}/replay_main.cc)
    add_test(NAME ${name} COMMAND ${name} ${corpus})
  endif()
  target_link_libraries(${name} PRIVATE otaconf::fuzz_support ${libs})
  set_target_properties(${name} PROPERTIES CXX_STANDARD 20)
  set_tests_properties(${name} PROPERTIES LABELS otaconf)
endfunction()

# otaconf_add_client_fuzzer(NAME n ADAPTER <target>)
# A fuzz target for a parser behind otaconf_adapter.h, with otaconf's
# differential oracle (fuzz/adapter_fuzzer.cc): with clang, a libFuzzer
# binary (run it: ./n -dict=${OTACONF_DATA_DIR}/fuzz/otaconf.dict CORPUS_DIR)
# whose ctest test runs every seed once; with another compiler, a replay
# binary whose ctest test replays the seed corpus. Needs CXX enabled.
function(otaconf_add_client_fuzzer)
  cmake_parse_arguments(O "" "NAME;ADAPTER" "" ${ARGN})
  if(NOT O_NAME OR NOT O_ADAPTER)
    message(FATAL_ERROR "otaconf_add_client_fuzzer: NAME and ADAPTER are required")
  endif()
  _otaconf_add_fuzz_target(${O_NAME} adapter_fuzzer.cc client_parser ${O_ADAPTER})
endfunction()

# Writes <dir>/otaconf_server_fixture.h: the fixture's text and directory,
# compiled into a server fuzzer so it runs where the fixture file is not
# (OSS-Fuzz); re-run by CMake when the fixture changes.
function(_otaconf_server_fixture_header dir fixture)
  get_filename_component(fixture ${fixture} ABSOLUTE)
  get_filename_component(fixture_dir ${fixture} DIRECTORY)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${fixture})
  file(READ ${fixture} text)
  if(text MATCHES "\\)otaconf_fixture\"")
    message(FATAL_ERROR "${fixture}: holds the text )otaconf_fixture\", which ends the embedded string")
  endif()
  # Written beside, then copied only when it differs: no rebuild on every configure.
  file(WRITE ${dir}/otaconf_server_fixture.h.new
       "// Generated by CMake from ${fixture}: do not edit.\n"
       "inline constexpr const char* otaconf_server_fixture_text = R\"otaconf_fixture(${text})otaconf_fixture\";\n"
       "inline constexpr const char* otaconf_server_fixture_dir = R\"otaconf_fixture(${fixture_dir})otaconf_fixture\";\n")
  configure_file(${dir}/otaconf_server_fixture.h.new ${dir}/otaconf_server_fixture.h COPYONLY)
endfunction()

# The server fuzz target's options on `target` (a fuzzer or its replay):
# the handler, the compiled-in fixture and profile.
function(_otaconf_server_fuzzer_options target handler fixture profile)
  target_link_libraries(${target} PRIVATE ${handler})
  if(fixture)
    set(dir ${CMAKE_CURRENT_BINARY_DIR}/${target}_fixture)
    _otaconf_server_fixture_header(${dir} ${fixture})
    target_include_directories(${target} PRIVATE ${dir})
    target_compile_definitions(${target} PRIVATE OTACONF_SERVER_FIXTURE)
  endif()
  if(profile)
    target_compile_definitions(${target} PRIVATE OTACONF_SERVER_PROFILE="${profile}")
  endif()
endfunction()

# otaconf_add_server_fuzzer(NAME n HANDLER <target> [FIXTURE f] [PROFILE p])
# A fuzz target for a server's request handler behind otaconf_server.h,
# with otaconf's server oracle (fuzz/server_handler_fuzzer.cc): every input
# a request sent to the handler in-process, every check answer judged
# against FIXTURE (compiled in; default: otaconf's default fixture) under
# PROFILE (default: every profile the handler opens). With clang, a
# libFuzzer binary (run it: ./n -dict=${OTACONF_DATA_DIR}/fuzz/otaconf.dict
# CORPUS_DIR ${OTACONF_DATA_DIR}/corpus/server_handler) whose ctest test
# runs every seed once; with another compiler, a replay binary whose ctest
# test replays the seed corpus. Needs CXX enabled.
function(otaconf_add_server_fuzzer)
  cmake_parse_arguments(O "" "NAME;HANDLER;FIXTURE;PROFILE" "" ${ARGN})
  if(NOT O_NAME OR NOT O_HANDLER)
    message(FATAL_ERROR "otaconf_add_server_fuzzer: NAME and HANDLER are required")
  endif()
  _otaconf_add_fuzz_target(${O_NAME} server_handler_fuzzer.cc server_handler otaconf::server_abi)
  _otaconf_server_fuzzer_options(${O_NAME} ${O_HANDLER} "${O_FIXTURE}" "${O_PROFILE}")
endfunction()
