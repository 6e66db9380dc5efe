// IPv6 on this machine against what the services need: ::1 on lo, the disable_ipv6 sysctls,
// IPv6 bind addresses while IPv6 is off.
#pragma once

#include "platform/net_config.hpp"
#include "preflight/check_context.hpp"

#include <string>
#include <vector>

namespace golaunch {

// Ids: ipv6-disabled (warning when an endpoint needs IPv6, else info), ipv6-loopback-missing
// (warning: clients that try ::1 for localhost first are refused), ipv6-address-unavailable
// (error: an endpoint binds an IPv6 address the machine cannot have now).
std::vector<Finding> check_ipv6(const CheckContext& context);
std::vector<Finding> check_ipv6(const CheckContext& context, const NetConfig& config);

// True when `address` is a specific IPv6 address (not "::") that cannot be bound because IPv6
// is off (no kernel support, disable_ipv6 on all or on lo for ::1) or ::1 is missing from lo.
bool ipv6_unavailable_for(const NetConfig& config, const std::string& address);

} // namespace golaunch
