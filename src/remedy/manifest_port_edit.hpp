// `golaunch fix --write`: changes one port number in the user's manifest and nothing else.
#pragma once

#include "manifest/manifest.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

// `text` (the manifest as loaded into `manifest`, declared numbers) with the number of
// `service`.`port_name` replaced by `number`; every other byte unchanged. The result is parsed
// again and must give the same manifest but for that number. Throws golaunch::Error when the
// number cannot be found at the port's location (e.g. written as 0x1F90 or 8_080).
std::string replace_port_number(const std::string& text, const Manifest& manifest,
                                const std::string& service, const std::string& port_name,
                                std::uint16_t number);

// One port number to write into the manifest.
struct PortEdit {
    std::string service;
    std::string port_name;
    std::uint16_t number = 0;
};

// `text` with every edit applied in turn, each checked as replace_port_number does (the text
// is parsed again after each one). Throws golaunch::Error naming the first that fails.
std::string replace_port_numbers(const std::string& text, const Manifest& manifest,
                                 const std::vector<PortEdit>& edits);

// Reads the manifest file, replaces the numbers, writes it back once, atomically (mode kept):
// either every edit is in the file afterwards, or none is.
void write_port_numbers(const Manifest& manifest, const std::vector<PortEdit>& edits);

// The same for one number.
void write_port_number(const Manifest& manifest, const std::string& service,
                       const std::string& port_name, std::uint16_t number);

} // namespace golaunch
