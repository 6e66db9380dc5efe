// Port rules of this machine against the declared endpoints: privileged ports, the ephemeral
// and reserved ranges, bind addresses that are not local, shadowing listeners, duplicates.
#pragma once

#include "platform/net_config.hpp"
#include "preflight/check_context.hpp"

#include <vector>

namespace golaunch {

// Ids: privileged-port (error), ephemeral-range (warning), reserved-port (info),
// address-not-local (error), port-shadowed (warning), port-declared-twice (error).
// Reads the machine's NetConfig (this process's capabilities and network namespace).
std::vector<Finding> check_port_rules(const CheckContext& context);

// The same against a NetConfig the caller read.
std::vector<Finding> check_port_rules(const CheckContext& context, const NetConfig& config);

// "api.http :8080"
std::string endpoint_subject(const DeclaredEndpoint& endpoint);

// A finding about `endpoint`: its id, severity, subject and fields set; the rest is the caller's.
Finding endpoint_finding(const char* id, Severity severity, const DeclaredEndpoint& endpoint);

} // namespace golaunch
