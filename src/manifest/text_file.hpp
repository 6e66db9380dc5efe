// Reading a whole text file with an error people can act on.
#pragma once

#include <filesystem>
#include <string>

namespace golaunch {

// The file's bytes. Throws golaunch::Error (exit code 2) "cannot read NAME: REASON" with `hint`,
// NAME being the path as given.
std::string read_text_file(const std::filesystem::path& path, const std::string& hint = {});

} // namespace golaunch
