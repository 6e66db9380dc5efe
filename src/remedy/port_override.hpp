// .golaunch/ports.toml: port numbers `golaunch fix` moved, kept out of the user's manifest.
//
//     [ports.api]
//     http = 18482
//
// `golaunch run` and `golaunch check` apply it on top of the manifest and say so.
#pragma once

#include "manifest/manifest.hpp"
#include "preflight/finding.hpp"

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

// Sets the manifest's port numbers from `overrides`. Returns an info finding "port-override"
// per port changed ("api.http uses 18482 instead of 8080: port override from
// .golaunch/ports.toml") and a warning "port-override-unknown" for an entry naming a service
// or port the manifest does not have (ignored).
std::vector<Finding> apply_port_overrides(Manifest& manifest,
                                          const std::vector<PortOverride>& overrides);

// Writes `overrides` (sorted by service and port) to `file` atomically, with a header comment;
// removes the file when there are none.
void write_port_overrides(const std::filesystem::path& file,
                          const std::vector<PortOverride>& overrides);

// `overrides` with (service, port_name) set to `number` (added or replaced).
std::vector<PortOverride> with_override(std::vector<PortOverride> overrides,
                                        const std::string& service, const std::string& port_name,
                                        std::uint16_t number);

// `overrides` without (service, port_name).
std::vector<PortOverride> without_override(std::vector<PortOverride> overrides,
                                           const std::string& service,
                                           const std::string& port_name);

} // namespace golaunch
