// firewall-wildcard-bind (warning, Windows only): a service binds 0.0.0.0 or ::. Windows
// Defender Firewall asks whether to allow a program the first time it listens on a wildcard
// address (with `go run`, at every run: each build is a new exe path), and the service is open to
// the network. Loopback is exempt from the firewall, so 127.0.0.1 needs no prompt. On Linux
// (NetConfig without Windows facts) nothing is found: the firewall check reads the real rules.
#pragma once

#include "platform/net_config.hpp"
#include "preflight/check_context.hpp"

#include <vector>

namespace golaunch {

void check_wildcard_bind(const DeclaredEndpoint& endpoint, const NetConfig& config,
                         std::vector<Finding>& findings);

} // namespace golaunch
