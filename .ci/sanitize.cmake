# Included by .ci/sanitize after project() (CMAKE_PROJECT_INCLUDE): the unity build of the
# sanitizer job, without touching the project's own CMakeLists. At the end of the top
# directory, once every target exists, the sources whose file-scope names (anonymous
# namespace or static) clash with another file's are compiled on their own (.ci/unity_clashes.py).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(GOLAUNCH_CI_DIR ${CMAKE_CURRENT_LIST_DIR})

function(golaunch_skip_unity_clashes target directory)
  get_target_property(sources ${target} SOURCES)
  set(paths)
  foreach(source ${sources})
    cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${directory})
    list(APPEND paths ${source})
  endforeach()
  execute_process(COMMAND ${Python3_EXECUTABLE} ${GOLAUNCH_CI_DIR}/unity_clashes.py ${paths}
                  OUTPUT_VARIABLE clashing ERROR_VARIABLE details COMMAND_ERROR_IS_FATAL ANY)
  string(REPLACE "\n" ";" clashing "${clashing}")
  list(FILTER clashing EXCLUDE REGEX "^$")
  list(LENGTH clashing count)
  message(STATUS "unity build of ${target}: ${count} sources compiled on their own")
  if(clashing)
    set_source_files_properties(${clashing} DIRECTORY ${directory}
                                PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endif()
endfunction()

function(golaunch_sanitize_adjust)
  golaunch_skip_unity_clashes(golaunch_lib ${PROJECT_SOURCE_DIR})
  golaunch_skip_unity_clashes(golaunch_tests ${PROJECT_SOURCE_DIR}/tests)
endfunction()
cmake_language(DEFER CALL golaunch_sanitize_adjust)
