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
  set(fuzz ${OTACONF_DATA_DIR}/fuzz)
  set(seeds ${OTACONF_DATA_DIR}/corpus/client_parser)
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    add_executable(${O_NAME} ${fuzz}/adapter_fuzzer.cc)
    target_link_options(${O_NAME} PRIVATE -fsanitize=fuzzer)
    add_test(NAME ${O_NAME} COMMAND ${O_NAME} -runs=0 -dict=${fuzz}/otaconf.dict ${seeds})
  else()
    add_executable(${O_NAME} ${fuzz}/adapter_fuzzer.cc ${fuzz}/replay_main.cc)
    add_test(NAME ${O_NAME} COMMAND ${O_NAME} ${seeds})
  endif()
  target_link_libraries(${O_NAME} PRIVATE otaconf::fuzz_support ${O_ADAPTER})
  set_target_properties(${O_NAME} PROPERTIES CXX_STANDARD 20)
  set_tests_properties(${O_NAME} PROPERTIES LABELS otaconf)
endfunction()
