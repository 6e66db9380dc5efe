// Port preflight: who holds each declared port; move it or stop our stale instance per
// on_port_conflict.
#pragma once

#include "instance/state_file.hpp"
#include "manifest/manifest.hpp"
#include "platform/process_info.hpp"
#include "platform/socket_table.hpp"
#include "preflight/finding.hpp"

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

struct PortHolder {
    ProcessInfo info;
    HolderKind kind = HolderKind::foreign;
    std::string started_at; // running_ours: since when its golaunch runs ("" when not recorded)
};

// A declared port something else holds (TCP; a bound UDP socket does not conflict).
struct PortConflict {
    std::string service;
    std::string port_name;
    std::uint16_t port = 0;
    std::vector<PortHolder> holders; // distinct owner processes
    bool owner_unknown = false;      // a socket whose owner we could not see
    bool resolved = false;           // moved (next-free) or freed (stop-stale) by the policy

    // True when every holder is our own stale instance (and every owner is known).
    bool all_stale_ours() const;
    // True when every holder is a service of this very project, running under another live
    // golaunch (and every owner is known): nothing to fix.
    bool all_running_ours() const;
};

struct PortCheckOptions {
    // false gives check's view: conflicts are errors, nothing moves, nothing is stopped.
    bool apply_policy = true;
    // Whether a pid was started by this golaunch (for "ours"/"not ours").
    std::function<bool(pid_t)> is_ours;
    // Classifies a holder; when empty, by the GOLAUNCH_PID mark alone (never stale_ours).
    std::function<HolderKind(const ProcessInfo&)> classify;
    // on_port_conflict = "stop-stale" with apply_policy: called when every holder is our stale
    // instance; stops them and returns true when the port is free. `note` gets what was done.
    std::function<bool(const PortConflict&, std::string& note)> stop_stale;
    // When the golaunch of pid N started, as recorded for this manifest ("" when unknown).
    std::function<std::string(pid_t golaunch_pid)> started_at;
};

struct PortCheckResult {
    std::vector<Finding> findings;
    PortAssignments assignments; // declared numbers, with moved ones replaced
    std::vector<PortConflict> conflicts;
};

// For each declared port of the selected services: every socket on it (all families,
// listeners and bound UDP) with owner pid, exe, cmdline, user. Held by this very project,
// running under another golaunch: warning "project-running" (nothing to fix). Otherwise, with
// on_port_conflict:
//  - fail:       error "port-in-use" naming the owner(s) (fix: "stop-stale" when all are our
//                stale instance, else "move-port")
//  - next-free:  info "port-moved" ("api.http 8080 is held by pid 42 (...); using 8081");
//                check's view (no apply_policy): warning "port-will-move" naming the port
//                run would take now, which `assignments` then holds, as in run
//  - stop-stale: info "stale-stopped" when options.stop_stale freed it; check's view: warning
//                "stale-will-stop" when every holder is our stale instance; else like fail
PortCheckResult check_ports(const Manifest& manifest, const std::vector<std::string>& services,
                            const SocketTable& table, const PortCheckOptions& options);

// The same, with only the policy switch and is_ours.
PortCheckResult check_ports(const Manifest& manifest, const std::vector<std::string>& services,
                            const SocketTable& table, bool apply_policy,
                            const std::function<bool(pid_t)>& is_ours = {});

// Holders of one port now (TCP sockets), classified as `options` says; nullopt when free.
std::optional<PortConflict> find_port_conflict(const SocketTable& table, const std::string& service,
                                               const std::string& port_name, std::uint16_t port,
                                               const PortCheckOptions& options);

} // namespace golaunch
