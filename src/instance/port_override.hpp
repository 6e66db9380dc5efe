// .golaunch/ports.toml: port numbers `golaunch fix` moved, kept out of the user's manifest.
//
//     [ports.api]
//     http = 18482
//
// `golaunch run` and `golaunch check` read it on every start (here) and apply it on top of the
// manifest (preflight/override_check.hpp); `golaunch fix` writes it
// (remedy/port_override_edit.hpp).
#pragma once

#include "manifest/manifest.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace golaunch {

struct PortOverride {
    std::string service;
    std::string port_name;
    std::uint16_t number = 0;
    SourceLocation where; // in ports.toml ("" file when not read from it)
};

// <root_dir>/.golaunch/ports.toml
std::filesystem::path port_override_path(const std::filesystem::path& root_dir);

// The overrides in `file` (none when it does not exist). A syntax error, an unknown key or a
// number outside 1-65535 is a located golaunch::Error (exit code 2) with a hint.
std::vector<PortOverride> read_port_overrides(const std::filesystem::path& file);

} // namespace golaunch
