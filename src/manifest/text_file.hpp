// Reading a whole text file with an error people can act on.
#pragma once

#include <filesystem>
#include <string>

namespace golaunch {

// The file's bytes. Only a regular file of at most 16 MiB is read (util/regular_file.hpp: a
// FIFO or a device never blocks or floods). Throws golaunch::Error (exit code 2)
// "cannot read NAME: REASON" with `hint`, NAME being the path as given.
std::string read_text_file(const std::filesystem::path& path, const std::string& hint = {});

} // namespace golaunch
