// `golaunch fix`: plans and applies the safe remedies for what the preflight found.
//   - a busy port held by our own stale instance: stop it (SIGTERM to its group, SIGKILL)
//   - a busy port held by anything else: the next free port, into .golaunch/ports.toml (or,
//     with `write_manifest`, into the manifest: only that number changes)
//   - with `write_manifest`: the overrides already in .golaunch/ports.toml go into the
//     manifest too, and leave ports.toml (remedy/port_move.hpp)
//   - with `force`: a holder not started by golaunch is stopped instead (a running golaunch's
//     services are never touched, with or without force)
//   - a port held by this very project running under another live golaunch: left alone (moving
//     it would start a second copy)
//   - hostnames missing from the hosts file: the project's golaunch block
#pragma once

#include "manifest/manifest.hpp"
#include "preflight/preflight.hpp"
#include "remedy/port_override_edit.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace golaunch {

struct FixRequest {
    const Manifest& manifest;                   // with overrides applied
    const std::vector<PortOverride>& overrides; // as read from .golaunch/ports.toml
    const PreflightResult& preflight;           // check's view (apply_policy = false)
    bool dry_run = false;
    bool write_manifest = false; // --write
    bool force = false;          // --force
};

struct FixAction {
    std::string kind;    // "move-port", "override-into-manifest", "stop-stale", "stop-process",
                         // "hosts-block", "leave-running"
    std::string subject; // "api.http :8080", "/etc/hosts"
    std::string text;    // what was done, or (dry run) what would be done
    std::vector<std::string> details; // lines shown under it (block content, processes, ...)
    bool done = false;                // applied (false in a dry run, or when it failed)
    bool failed = false;
    bool skipped = false;   // deliberately left alone (e.g. this project already runs)
    std::string hint;       // when it failed: what to do (e.g. the sudo command)
    std::uint16_t from = 0; // move-port, override-into-manifest: the port number before
    std::uint16_t to = 0;   // and after
};

// Plans every action, and unless `dry_run` applies them in order: stops, moves, hosts block.
// One action failing does not stop the others.
std::vector<FixAction> apply_fixes(const FixRequest& request);

} // namespace golaunch
