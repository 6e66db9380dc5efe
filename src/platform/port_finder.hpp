// Choosing a free TCP port: checked against the socket table for IPv4 and IPv6, then by binding.
#pragma once

#include "platform/socket_table.hpp"

#include <cstdint>
#include <optional>
#include <set>

namespace golaunch {

// True when no socket in `table` (any address family, any state except TIME_WAIT) uses `port`
// locally, and a test bind on 127.0.0.1 and (if IPv6 works) ::1 succeeds.
bool port_is_free(const SocketTable& table, std::uint16_t port);

// The first free port after `start` (wrapping below 65536 to 1024), skipping `avoid`.
// nullopt when none is free.
std::optional<std::uint16_t> next_free_port(const SocketTable& table, std::uint16_t start,
                                            const std::set<std::uint16_t>& avoid);

} // namespace golaunch
