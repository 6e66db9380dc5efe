// The findings of the port check, worded for a person (internal to preflight/port_check.cpp).
#pragma once

#include "manifest/manifest.hpp"
#include "platform/port_owners.hpp"
#include "preflight/finding.hpp"
#include "preflight/port_check.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

// One busy port as seen: the conflict, the sockets on the port, hidden owners.
struct PortSighting {
    PortConflict conflict;
    std::vector<PortUser> users; // TCP sockets on the port
    int denied = 0;              // processes we may not inspect
};

// "port-in-use" (error): who holds it (ours stale, a running golaunch, anybody), evidence per
// socket, the remedy and the automatic fix ("stop-stale" or "move-port"). `extra` ends the
// message (", and no free port was found to move to").
Finding port_in_use_finding(const PortSighting& seen, const ServiceSpec& service,
                            const std::string& extra);

// "port-moved" (info): next-free moved it to `moved`.
Finding port_moved_finding(const PortSighting& seen, std::uint16_t moved);

// "stale-stopped" (info): stop-stale stopped our stale holder; `note` says how.
Finding stale_stopped_finding(const PortSighting& seen, const std::string& note);

// "port-will-move" (warning, check's view of next-free): run will use `moved` instead.
Finding port_will_move_finding(const PortSighting& seen, std::uint16_t moved);

// "stale-will-stop" (warning, check's view of stop-stale): run will stop our stale holder.
Finding stale_will_stop_finding(const PortSighting& seen);

// "project-running" (warning): this very project holds the port, running under another live
// golaunch; nothing to fix.
Finding project_running_finding(const PortSighting& seen);

} // namespace golaunch
