// <manifest dir>/.golaunch/ is golaunch's own, and nothing in it is followed as a symbolic link.
//
// golaunch runs as root often enough, in directories it did not create: a cloned repository can
// ship `.golaunch/lock -> /etc/passwd`, and opening that lock with O_CREAT|O_TRUNC as root would
// empty the target (a dangling link would create it). So every file golaunch opens or creates
// under .golaunch/ goes through here: the directories are checked (and made) without following
// a link, files are opened with O_NOFOLLOW (Windows: a reparse point is refused), and a link is
// one golaunch::Error naming it, before anything is touched.
//
// "Private" covers every path component from the last one named `.golaunch` down to the file;
// for a path without such a component (tests use plain temp dirs), the file's own directory.
// Ancestors above that are created when missing and may be links (the project dir may be one).
#pragma once

#include "instance/atomic_file.hpp"
#include "util/error.hpp"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace golaunch {

// The refusal: "<path> is a symbolic link ..." with the hint to remove it.
Error link_refused(const std::filesystem::path& path);

// True when `path` itself is a symbolic link (Windows: a reparse point); false when it is
// missing or anything else.
bool is_link(const std::filesystem::path& path);

// The refusal when this user may not write `path`: "<what>: <path> is not writable (<reason>)",
// with the hint to run as a user who may, or to give this one write access.
Error not_writable(const std::string& what, const std::filesystem::path& path,
                   const std::string& reason);

struct WriteProblem {
    std::filesystem::path path; // what may not be written: the file, or the directory above it
    std::string reason;         // "Permission denied", "Read-only file system"
};

// Whether this user could create or change `path` (a private dir or a file in it), found
// without changing anything: `path` itself when it exists, else the nearest directory above it
// that does. nullopt when it looks writable, or when the reason is no permission (that one
// surfaces when the path is used). Windows: always nullopt (not probed).
std::optional<WriteProblem> write_problem(const std::filesystem::path& path);

// Throws link_refused when `path` itself is a symbolic link (Windows: a reparse point); a
// missing path is fine.
void refuse_link(const std::filesystem::path& path);

// Makes `dir` and its private ancestors real directories (created 0755 when missing), refusing
// a link or a non-directory at any of them.
void ensure_private_dir(const std::filesystem::path& dir);

// Refuses a link at any private directory of `dir` (see above); creates nothing.
void check_private_dirs(const std::filesystem::path& dir);

// Refuses a link at `dir` (and its private ancestors) or at any entry directly in it; for
// `run` and `fix`, which check .golaunch/ as a whole before they touch it.
void refuse_links_in(const std::filesystem::path& dir);

// Opens (creating it 0644 when missing) `file` for reading and writing, its directory made by
// ensure_private_dir, never through a link. Returns the fd (Linux) or HANDLE (Windows); the
// caller closes it. Throws golaunch::Error "cannot <what> <file>: <reason>" on failure.
std::intptr_t open_private_file(const std::filesystem::path& file, const std::string& what);

// The whole content of `file`, or nullopt when it does not exist; never through a link (its
// directories are checked but not created).
std::optional<std::string> read_private_file(const std::filesystem::path& file);

// write_file_atomically for a private file: the directory made by ensure_private_dir, and a
// link at `file` refused instead of replaced.
void write_private_file(const std::filesystem::path& file, const std::string& content,
                        Durability durability = Durability::synced);

// Removes `file` if present; a link there is refused, not removed.
void remove_private_file(const std::filesystem::path& file);

} // namespace golaunch
