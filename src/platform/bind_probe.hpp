// A test bind: can this process bind TCP `port` on the loopback addresses right now?
#pragma once

#include <cstdint>

namespace golaunch {

// True when binding 127.0.0.1:port and (if IPv6 works) [::1]:port both succeed. Linux sets
// SO_REUSEADDR as Go's net.Listen does (TIME-WAIT leftovers do not count); Windows sets
// SO_EXCLUSIVEADDRUSE, so a wildcard listener and an excluded port range (WSAEACCES) count.
bool can_bind_loopback(std::uint16_t port);

} // namespace golaunch
