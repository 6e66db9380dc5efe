// One port a service will listen on, with the address it binds when that is known: explicit in
// the manifest (`address = ...`), or read from its args/env such as "-addr 127.0.0.1:${port}".
// The preflight finds them once (endpoints.hpp); the supervisor watches the same values.
#pragma once

#include <cstdint>
#include <string>

namespace golaunch {

struct DeclaredEndpoint {
    std::string service;
    std::string port_name;
    std::uint16_t port = 0;        // the number this run uses (after on_port_conflict)
    std::string address;           // "127.0.0.1", "::1", "0.0.0.0", "::", a name, or "" unknown
    bool address_declared = false; // from the manifest's `address`, not read from its command
};

} // namespace golaunch
