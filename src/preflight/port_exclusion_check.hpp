// Windows port rules against the declared endpoints (internal to port_rules_check.cpp):
//  - port-excluded-range (error): the port is in an excluded port range (netsh), so the bind
//    fails with WSAEACCES 10013 and the socket table shows no owner;
//  - port-portproxy: a portproxy rule listens on the port (error on the same address, else a
//    warning: clients of the other addresses reach the proxy).
// On Linux NetConfig has neither, and nothing is found.
#pragma once

#include "platform/net_config.hpp"
#include "preflight/check_context.hpp"

#include <vector>

namespace golaunch {

void check_port_exclusions(const DeclaredEndpoint& endpoint, const NetConfig& config,
                           std::vector<Finding>& findings);

// Evidence and remedy shared with the bind diagnosis: "50000-50059 (IPv4 excluded port range,
// reserved at run time by winnat/Hyper-V/WSL/Docker)".
std::string excluded_range_evidence(const ExcludedPortRange& excluded);
std::string excluded_range_remedy(std::uint16_t port);

} // namespace golaunch
