// Reading a whole file a user pointed us at (manifest, env_file, hosts file, state file) without
// ever blocking or growing without bound: a FIFO would block the read for ever, /dev/zero would
// grow the buffer until the allocator gives up. Only regular files up to a size cap are read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace golaunch {

// The cap for the text files golaunch reads: far above any real manifest, .env or hosts file
// (ad blockers ship 4 MB ones), far below what hurts.
constexpr std::uint64_t k_max_text_file_bytes = 16u * 1024u * 1024u;

struct FileContent {
    std::string bytes;
    std::string problem; // empty when read; else why not ("not a regular file (a FIFO)")
    int error = 0;       // the errno when a system call failed (problem is then its text)

    bool ok() const { return problem.empty(); }
};

// The bytes of `path` when it is a regular file (after symlinks) of at most `max_bytes`.
// Otherwise `problem` says why, without blocking: strerror text when it cannot be opened,
// "not a regular file (a FIFO)", "too large (17825792 bytes; the limit is 16777216)".
FileContent read_regular_file(const std::filesystem::path& path,
                              std::uint64_t max_bytes = k_max_text_file_bytes);

// The problem text for a file of `size` bytes over `max_bytes`.
std::string too_large_problem(std::uint64_t size, std::uint64_t max_bytes);

// What a path is, for a message: "a regular file", "a directory", "a FIFO", "a character
// device", "a block device", "a socket", "a symbolic link"; "not a file" for anything else.
std::string file_type_text(std::filesystem::file_type type);

} // namespace golaunch
