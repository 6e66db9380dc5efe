// What `watch` looks at for one go service: the directories of the packages it is built from
// that belong to its main module (from `go list -deps -json`), their embedded files, go.mod and
// go.sum, and the manifest's extra globs; and which file changes count. Pure: the caller runs
// `go list` and the file watcher.
#pragma once

#include "util/regex.hpp"

#include <filesystem>
#include <set>
#include <string>
#include <vector>

namespace golaunch {

struct WatchSet {
    std::set<std::filesystem::path> dirs;  // the main module's package directories (absolute)
    std::set<std::filesystem::path> files; // embedded files, go.mod, go.sum
    std::set<std::string> packages;        // import paths of those packages
    std::filesystem::path root;            // what the globs are relative to (the manifest dir)
    std::vector<Pattern> globs;            // watch = ["templates/**", ...]
    std::vector<std::string> glob_texts;
};

// From the output of `go list -deps -json PKG` (a stream of JSON objects): the packages whose
// Module is the main one. Throws golaunch::Error when it is not that output.
WatchSet watch_set_from_go_list(const std::string& output);

// "templates/**" -> an anchored regular expression over '/'-separated relative paths: `**` is
// any run of characters, `*` and `?` stay within one path element.
std::string glob_to_regex(const std::string& glob);

// The directory part before the first wildcard: "templates/**/*.html" -> "templates".
std::string glob_base(const std::string& glob);

void add_globs(WatchSet& set, const std::filesystem::path& root,
               const std::vector<std::string>& globs);

// Whether a change of `path` (absolute) should rebuild: a non-test .go file in one of the
// directories, one of the files, or a glob match; never an editor's temporary file (foo~,
// .foo.swp, #foo#, .#foo, 4913) or anything under .golaunch/.
bool is_relevant(const WatchSet& set, const std::filesystem::path& path);

} // namespace golaunch
