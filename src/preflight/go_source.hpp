// One Go source file as `go build` first reads it: its package clause, and whether a build
// constraint may leave it out. Just enough to tell a program (package main) from a library
// before anything is built (preflight/go_package.hpp); no Go parser.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace golaunch {

struct GoFileHeader {
    std::string package; // NAME in `package NAME`
    int line = 0;        // of NAME, 1-based
    int column = 0;      // of NAME, 1-based, in code points
    // A `//go:build` or `// +build` line among the comments before the clause: the build may
    // leave the file out. (Any such line counts, even one go would not honour.)
    bool constrained = false;
};

// The header of `source`; nullopt when no package clause follows the leading comments and
// blank lines (not Go, an unterminated comment, a file cut short).
std::optional<GoFileHeader> read_go_file_header(std::string_view source);

// True for a name go/build reads as built only for some systems: a known GOOS and/or GOARCH
// after an underscore at the end of the name ("x_linux.go", "x_windows_amd64.go",
// "x_arm64_test.go"), but not "linux.go".
bool has_platform_suffix(std::string_view file_name);

// True for a file `go build` of its directory reads: "*.go", not "*_test.go", not starting
// with '_' or '.'.
bool is_buildable_go_file_name(std::string_view file_name);

} // namespace golaunch
