// The whole preflight: the port check (with on_port_conflict when asked), then every check
// of preflight/*_check.hpp against one CheckContext. `golaunch check`, `run` and `fix` call it.
#pragma once

#include "manifest/manifest.hpp"
#include "preflight/check_context.hpp"
#include "preflight/finding.hpp"
#include "preflight/port_check.hpp"

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace golaunch {

struct PreflightOptions {
    // true (run): move ports per next-free, stop our own stale instance per stop-stale.
    // false (check, fix): report only, change nothing.
    bool apply_policy = true;
    std::filesystem::path hosts_file;                 // "" = the platform's (/etc/hosts)
    bool network = true;                              // false: no DNS queries
    std::chrono::milliseconds resolve_deadline{1500}; // per name
    std::function<bool(pid_t)> is_ours;               // pids started by this golaunch
};

struct PreflightResult {
    std::vector<Finding> findings; // port check first, then the other checks in a fixed order
    PortAssignments assignments;   // the numbers this run uses
    std::vector<PortConflict> conflicts;
    std::vector<DeclaredEndpoint> endpoints;
    std::filesystem::path hosts_file; // the one checked
};

// `services`: the selected services in dependency order (empty = all). A check that throws
// becomes a warning "check-failed" naming it; the others still run. Checks run in parallel.
PreflightResult run_preflight(const Manifest& manifest, const std::vector<std::string>& services,
                              const PreflightOptions& options);

// Classifies port holders against .golaunch/state.json of the manifest's directory.
std::function<HolderKind(const ProcessInfo&)> holder_classifier(const Manifest& manifest);

// Every hostname the project declares, for its hosts-file block: [hosts] entries, then names
// only in services' `hosts` (mapped to 127.0.0.1), each once, whatever services are selected.
std::vector<HostEntry> project_hosts(const Manifest& manifest);

} // namespace golaunch
