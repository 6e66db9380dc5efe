# The unity build of the CI jobs (.ci/sanitize, .ci/windows, .ci/package) and of the README's
# first command, without touching the project's own CMakeLists: pass
# -DCMAKE_PROJECT_INCLUDE=.ci/unity.cmake (included right after project()), optionally with
# -DCMAKE_UNITY_BUILD_BATCH_SIZE=N. The default here is 24 sources per file (CMake's is 8): the
# Release build of golaunch alone took 246 s of CPU and 130 s on 2 cores against 300 s and
# 156 s with 8 (2026-12-06, a fresh clone each time). At the end of the top directory,
# once every target exists, each target of the project's own directories (the Windows hook DLL
# and the Windows-only sources included; not Debian's googletest) is checked: the sources whose
# file-scope names (anonymous namespace or static) clash with another file's of the same target
# are compiled on their own (.ci/unity_clashes.py).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(GOLAUNCH_CI_DIR ${CMAKE_CURRENT_LIST_DIR})
set(CMAKE_UNITY_BUILD ON)
if(NOT DEFINED CMAKE_UNITY_BUILD_BATCH_SIZE)
  set(CMAKE_UNITY_BUILD_BATCH_SIZE 24)
endif()

function(golaunch_skip_unity_clashes target)
  get_target_property(directory ${target} SOURCE_DIR)
  get_target_property(sources ${target} SOURCES)
  set(paths)
  foreach(source ${sources})
    if(source MATCHES "\\.(cpp|cc|cxx)$")
      cmake_path(ABSOLUTE_PATH source BASE_DIRECTORY ${directory})
      list(APPEND paths ${source})
    endif()
  endforeach()
  list(LENGTH paths total)
  if(total LESS 2)
    return()
  endif()
  execute_process(COMMAND ${Python3_EXECUTABLE} ${GOLAUNCH_CI_DIR}/unity_clashes.py ${paths}
                  OUTPUT_VARIABLE clashing ERROR_VARIABLE details COMMAND_ERROR_IS_FATAL ANY)
  string(REPLACE "\n" ";" clashing "${clashing}")
  list(FILTER clashing EXCLUDE REGEX "^$")
  list(LENGTH clashing count)
  message(STATUS "unity build of ${target}: ${count} of ${total} sources compiled on their own")
  if(clashing)
    set_source_files_properties(${clashing} DIRECTORY ${directory}
                                PROPERTIES SKIP_UNITY_BUILD_INCLUSION ON)
  endif()
endfunction()

# The compiled targets of `directory` and of its subdirectories inside the source tree.
function(golaunch_unity_check_directory directory)
  get_property(targets DIRECTORY ${directory} PROPERTY BUILDSYSTEM_TARGETS)
  foreach(target ${targets})
    get_target_property(type ${target} TYPE)
    if(type MATCHES "^(STATIC_LIBRARY|SHARED_LIBRARY|MODULE_LIBRARY|OBJECT_LIBRARY|EXECUTABLE)$")
      golaunch_skip_unity_clashes(${target})
      # .ci/tidy runs clang-tidy on the unity files: their includes of .cpp files are meant.
      set_target_properties(${target} PROPERTIES UNITY_BUILD_CODE_BEFORE_INCLUDE
                                                 "// NOLINTNEXTLINE(bugprone-suspicious-include)")
    endif()
  endforeach()
  get_property(subdirectories DIRECTORY ${directory} PROPERTY SUBDIRECTORIES)
  foreach(subdirectory ${subdirectories})
    cmake_path(IS_PREFIX PROJECT_SOURCE_DIR ${subdirectory} NORMALIZE inside)
    if(inside)
      golaunch_unity_check_directory(${subdirectory})
    endif()
  endforeach()
endfunction()

function(golaunch_unity_adjust)
  golaunch_unity_check_directory(${PROJECT_SOURCE_DIR})
endfunction()
cmake_language(DEFER CALL golaunch_unity_adjust)
