// `golaunch fix --write`: changes one port number in the user's manifest and nothing else.
#pragma once

#include "manifest/manifest.hpp"

#include <cstdint>
#include <string>

namespace golaunch {

// `text` (the manifest as loaded into `manifest`, declared numbers) with the number of
// `service`.`port_name` replaced by `number`; every other byte unchanged. The result is parsed
// again and must give the same manifest but for that number. Throws golaunch::Error when the
// number cannot be found at the port's location (e.g. written as 0x1F90 or 8_080).
std::string replace_port_number(const std::string& text, const Manifest& manifest,
                                const std::string& service, const std::string& port_name,
                                std::uint16_t number);

// Reads the manifest file, replaces the number, writes it back atomically (mode kept).
void write_port_number(const Manifest& manifest, const std::string& service,
                       const std::string& port_name, std::uint16_t number);

} // namespace golaunch
