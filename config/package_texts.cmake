# Run by the package build (config/packaging.cmake): writes the completion scripts and the
# --help text of golaunch and of each of its commands into OUT.
#   cmake -DGOLAUNCH=path/to/golaunch -DOUT=dir -P config/package_texts.cmake
file(MAKE_DIRECTORY ${OUT})
foreach(pair "bash;golaunch.bash" "zsh;_golaunch" "fish;golaunch.fish")
  list(GET pair 0 shell)
  list(GET pair 1 name)
  execute_process(COMMAND ${GOLAUNCH} completion ${shell} OUTPUT_FILE ${OUT}/${name}
                  COMMAND_ERROR_IS_FATAL ANY)
endforeach()
execute_process(COMMAND ${GOLAUNCH} --help OUTPUT_VARIABLE top COMMAND_ERROR_IS_FATAL ANY)
set(help "${top}")
# The commands are the indented first words after the Subcommands: heading.
string(FIND "${top}" "Subcommands:" at)
if(at GREATER -1)
  string(SUBSTRING "${top}" ${at} -1 listing)
  string(REGEX MATCHALL "\n  [a-z][a-z-]*" commands "${listing}")
  foreach(command ${commands})
    string(STRIP "${command}" command)
    execute_process(COMMAND ${GOLAUNCH} ${command} --help OUTPUT_VARIABLE text
                    COMMAND_ERROR_IS_FATAL ANY)
    string(APPEND help "\n\n==== golaunch ${command} ====\n\n${text}")
  endforeach()
endif()
# CLI11 prints the path it was run by ("Usage: /build/dir/golaunch ..."): the installed name.
string(REPLACE "${GOLAUNCH}" "golaunch" help "${help}")
file(WRITE ${OUT}/help.txt "${help}")
