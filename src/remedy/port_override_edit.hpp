// Writing .golaunch/ports.toml, `golaunch fix`'s side of the port overrides (reading them is
// instance/port_override.hpp, which `run` needs on every start).
#pragma once

#include "instance/port_override.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace golaunch {

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
