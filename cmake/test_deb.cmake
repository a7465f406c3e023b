# ctest install.deb: cpack -G DEB builds an installable package whose
# control data names its runtime dependencies and whose tree holds the tools,
# the data and the package config. -DBUILD=<build dir> -DWORK=<scratch dir>
file(REMOVE_RECURSE ${WORK})
execute_process(COMMAND ${CMAKE_CPACK_COMMAND} -G DEB -B ${WORK} WORKING_DIRECTORY ${BUILD} RESULT_VARIABLE code
                OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(GLOB debs ${WORK}/*.deb)
if(NOT code EQUAL 0 OR NOT debs)
  message(FATAL_ERROR "cpack -G DEB failed (${code}):\n${out}\n${err}")
endif()
list(GET debs 0 deb)
execute_process(COMMAND dpkg-deb -I ${deb} OUTPUT_VARIABLE info RESULT_VARIABLE code)
execute_process(COMMAND dpkg-deb -c ${deb} OUTPUT_VARIABLE contents)
foreach(field "Package: otaconf" "Depends: .*libssl3" "Depends: .*libc6" "Version: [0-9]")
  if(NOT info MATCHES "${field}")
    message(FATAL_ERROR "${deb}: the control data lacks /${field}/:\n${info}")
  endif()
endforeach()
foreach(path usr/bin/otaconf usr/bin/ota-refserver usr/bin/otaclient-adapter-asan usr/lib/otaconf/libotaclient_adapter.so
             usr/include/otaconf_adapter.h usr/share/otaconf/spec/onenet-ota-v1.json usr/share/otaconf/vectors/
             usr/lib/cmake/otaconf/otaconfConfig.cmake usr/lib/cmake/otaconf/otaconf-helpers.cmake)
  if(NOT contents MATCHES "\\./${path}")
    message(FATAL_ERROR "${deb} does not hold ${path}")
  endif()
endforeach()
message(STATUS "${deb}: ok")
