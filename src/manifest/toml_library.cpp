// toml++'s compiled part, built into golaunch: every other file includes toml++ with
// TOML_HEADER_ONLY=0 (CMakeLists.txt), so the parser is compiled once, here, instead of linking
// Debian's libtomlplusplus.so (whose load, with the libstdc++.so it pulls in, was a third of
// `golaunch --version`'s time) or compiling it into every file that includes it.
#define TOML_IMPLEMENTATION
#include <toml++/toml.h>
