// Literal IP addresses to socket addresses and back: the one copy for Linux and Windows code
// (the calls are the same on both; only the headers differ).
#pragma once

#include <cstdint>
#include <string>

struct sockaddr_storage;

namespace golaunch {

// "127.0.0.1" or "::1" plus `port` into `storage`. Returns the address length, or 0 when
// `address` is not a literal IPv4 or IPv6 address.
int make_socket_address(const std::string& address, std::uint16_t port, sockaddr_storage& storage);

} // namespace golaunch
