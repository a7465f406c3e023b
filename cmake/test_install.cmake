# ctest install.consumer: installs this build to a scratch prefix, moves the
# tree elsewhere, runs the moved otaconf from another directory (spec lint,
# server, client, mutation --side client), then configures, builds and runs
# examples/ against it as an out-of-tree consumer would.
# -DBUILD=<build dir> -DSOURCE=<source dir> -DWORK=<scratch dir>
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/elsewhere)

function(run)
  cmake_parse_arguments(R "" "EXPECT" "" ${ARGN})
  if(NOT DEFINED R_EXPECT)
    set(R_EXPECT 0)
  endif()
  execute_process(COMMAND ${R_UNPARSED_ARGUMENTS} WORKING_DIRECTORY ${WORK}/elsewhere RESULT_VARIABLE code
                  OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT code STREQUAL R_EXPECT)
    message(FATAL_ERROR "${R_UNPARSED_ARGUMENTS}\nexit ${code}, expected ${R_EXPECT}\n${out}\n${err}")
  endif()
  string(LENGTH "${out}" length)
  message(STATUS "ok (exit ${code}): ${R_UNPARSED_ARGUMENTS}")
  set(last_output "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BUILD} --prefix ${WORK}/prefix)
file(RENAME ${WORK}/prefix ${WORK}/moved)
set(P ${WORK}/moved)

run(${P}/bin/otaconf --version)
if(NOT last_output MATCHES "data: ${P}/share/otaconf")
  message(FATAL_ERROR "the moved otaconf does not find its data beside itself:\n${last_output}")
endif()
run(${P}/bin/otaconf spec lint)
run(${P}/bin/otaconf server --cases 5 --quiet)
run(${P}/bin/otaconf client --adapter-lib ${P}/lib/otaconf/libotaclient_adapter.so --cases 3 --quiet)
run(${P}/bin/otaconf mutation --side client --cases 10)
if(NOT last_output MATCHES "mutation score: ([0-9]+)/([0-9]+)" OR NOT CMAKE_MATCH_1 STREQUAL CMAKE_MATCH_2)
  message(FATAL_ERROR "mutation --side client from the moved tree did not kill every mutant:\n${last_output}")
endif()

# The consumer: find_package(otaconf) from the moved prefix.
run(${CMAKE_COMMAND} -S ${SOURCE}/examples -B ${WORK}/consumer -G Ninja -DCMAKE_PREFIX_PATH=${P})
run(${CMAKE_COMMAND} --build ${WORK}/consumer)
run(${CMAKE_COMMAND} -E chdir ${WORK}/consumer ${CMAKE_CTEST_COMMAND} --output-on-failure -R "^(s|python-server)$")
foreach(file results.json junit.xml report.html)
  if(NOT EXISTS ${WORK}/consumer/otaconf/s/${file})
    message(FATAL_ERROR "the consumer's test s left no ${file}")
  endif()
endforeach()
# cJSON cannot hold sizes past 2^53 (examples/c-parser): the helper's test
# must fail on otaconf's exit status, with the report left for reading.
run(${CMAKE_COMMAND} -E chdir ${WORK}/consumer ${CMAKE_CTEST_COMMAND} -R "^p$" EXPECT 8)
if(NOT EXISTS ${WORK}/consumer/otaconf/p/report.html)
  message(FATAL_ERROR "the consumer's test p left no report")
endif()
# The same limit under the fuzz oracle (otaconf_add_client_fuzzer): found on
# the seed corpus, and nothing that only a profile's decision forbids.
run(${CMAKE_COMMAND} -E chdir ${WORK}/consumer ${CMAKE_CTEST_COMMAND} --output-on-failure -R "^parser_fuzzer$" EXPECT 8)
if(NOT last_output MATCHES "RESP.DATA.SIZE: data.size is 9223372036854775808")
  message(FATAL_ERROR "parser_fuzzer did not find cJSON's size limit:\n${last_output}")
endif()
# A server handler in C under the server fuzz oracle (otaconf_add_server_fuzzer):
# the seed corpus replays against the fixture it serves with no finding.
run(${CMAKE_COMMAND} -E chdir ${WORK}/consumer ${CMAKE_CTEST_COMMAND} --output-on-failure -R "^handler_fuzzer$")
