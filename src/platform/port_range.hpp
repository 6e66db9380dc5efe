// An inclusive range of port numbers.
#pragma once

#include <cstdint>

namespace golaunch {

struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 0; // inclusive
    bool contains(std::uint16_t port) const { return port >= first && port <= last; }
    bool operator==(const PortRange&) const = default;
};

} // namespace golaunch
