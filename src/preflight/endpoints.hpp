// The endpoints a run will listen on: each declared port of the selected services with the
// address it binds, from the manifest (`address = ...`) or read from the service's command line.
#pragma once

#include "manifest/manifest.hpp"
#include "preflight/check_context.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

// One entry per declared port of `services` (all services when empty), in manifest order,
// numbered as `ports` says (falling back to the declared number). The address is the port's
// explicit `address`, else the one found next to the port number in the service's args, cmd,
// shell or env after interpolation ("-addr 127.0.0.1:8080", "[::1]:8080", ":8080" = "::"),
// else "". URLs ("http://host:8080/...") are skipped: they name where to connect, not bind.
std::vector<DeclaredEndpoint> declared_endpoints(const Manifest& manifest,
                                                 const std::vector<std::string>& services,
                                                 const PortAssignments& ports);

// The fields of a finding about `endpoint`: service, port name, port and bind address.
FindingFields endpoint_fields(const DeclaredEndpoint& endpoint);

// The bind address written next to `port` in `text`: "127.0.0.1" for "127.0.0.1:8080",
// "::1" for "[::1]:8080", "::" for ":8080" (Go's every-address form), a name for
// "localhost:8080"; "" when the port does not appear as HOST:PORT outside a URL.
std::string address_for_port(const std::string& text, std::uint16_t port);

} // namespace golaunch
