// Port preflight: who holds each declared port; move it per on_port_conflict.
#pragma once

#include "manifest/manifest.hpp"
#include "platform/socket_table.hpp"
#include "preflight/finding.hpp"

#include <sys/types.h>

#include <functional>
#include <vector>

namespace golaunch {

struct PortCheckResult {
    std::vector<Finding> findings;
    PortAssignments assignments; // declared numbers, with moved ones replaced
};

// For each declared port of the selected services: every socket on it (all families,
// listeners and bound UDP) with owner pid, exe, cmdline, user. With on_port_conflict:
//  - fail:       error finding "port-in-use" naming the owner(s)
//  - next-free:  info finding "port-moved" ("api.http 8080 is held by pid 42 (...); using 8081")
//  - stop-stale: treated like fail for now (the state file arrives with `golaunch fix`)
// `apply_policy` false gives check's view: conflicts are reported as errors, nothing moves.
// `is_ours` tells whether a pid was started by this golaunch (for "ours"/"not ours").
PortCheckResult check_ports(const Manifest& manifest, const std::vector<std::string>& services,
                            const SocketTable& table, bool apply_policy,
                            const std::function<bool(pid_t)>& is_ours = {});

} // namespace golaunch
