// What `go build` makes of a service's `go = "..."` package, read from its sources before any
// build. `go build -o .golaunch/bin/api ./lib` of a library "succeeds" and writes an archive,
// which then fails to start with "Permission denied"; the package clauses tell the two apart.
//
// Build constraints are honoured only as far as that is cheap and never wrong. A buildable .go
// file (preflight/go_source.hpp) without a //go:build or // +build line and without a
// _GOOS/_GOARCH suffix is certainly part of the build; any other may or may not be. go checks
// that the package clauses of the files it builds agree (cgo files included) before it builds,
// so the package is not main when a certain file says another name, or when no file at all
// says main. Otherwise it may be main, and nothing is said. Import paths
// ("example.com/shop/cmd/api", "std") and patterns ("./cmd/...") are not judged.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace golaunch {

enum class GoPackageKind {
    main,     // a file says package main, and no certain file says otherwise
    not_main, // see above; `clause` shows it
    missing,  // no directory, not a directory, or no Go files; `problem` says which
    unknown,  // not a path, or files that could not be read or parsed leave it open
};

struct GoPackageClause {
    std::filesystem::path file;
    std::string name;
    int line = 0;
    int column = 0;
    bool certain = false; // the build certainly includes `file`
};

struct GoPackage {
    GoPackageKind kind = GoPackageKind::unknown;
    std::filesystem::path dir;             // the package directory (or the .go file) looked at
    std::string problem;                   // missing: "does not exist", "is not a directory", ...
    std::optional<GoPackageClause> clause; // not_main: the clause that shows it
    bool mixed = false; // not_main, and another certain file says main: go refuses both
};

// `package` as written in the manifest; relative paths are taken from `root_dir`, as
// `go build` runs there. Never throws for a file-system problem.
GoPackage read_go_package(const std::string& package, const std::filesystem::path& root_dir);

} // namespace golaunch
