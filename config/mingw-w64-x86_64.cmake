# Cross build for 64-bit Windows with Debian's mingw-w64 (g++-mingw-w64-x86-64-posix).
#   cmake -S . -B build-win -G Ninja -DCMAKE_TOOLCHAIN_FILE=config/mingw-w64-x86_64.cmake
# The posix thread model is required: the win32 one lacks std::mutex and std::thread.
# Tests run under Wine through CMAKE_CROSSCOMPILING_EMULATOR.
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

set(GOLAUNCH_MINGW_TRIPLE x86_64-w64-mingw32)
set(CMAKE_C_COMPILER ${GOLAUNCH_MINGW_TRIPLE}-gcc-posix)
set(CMAKE_CXX_COMPILER ${GOLAUNCH_MINGW_TRIPLE}-g++-posix)
set(CMAKE_RC_COMPILER ${GOLAUNCH_MINGW_TRIPLE}-windres)

# Only the mingw sysroot is searched for libraries and headers; the host's /usr/include must
# never be on the include path as a whole (the top CMakeLists adds a folder of symlinks instead).
set(CMAKE_FIND_ROOT_PATH /usr/${GOLAUNCH_MINGW_TRIPLE})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

find_program(GOLAUNCH_WINE wine)
if(GOLAUNCH_WINE)
  set(CMAKE_CROSSCOMPILING_EMULATOR ${GOLAUNCH_WINE})
endif()
