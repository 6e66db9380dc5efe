// Stopping a process golaunch found holding a port: SIGTERM, a bounded grace, SIGKILL.
#pragma once

#include "platform/process_info.hpp"

#include <chrono>
#include <string>

namespace golaunch {

struct StopOutcome {
    bool stopped = false; // the process is gone
    bool killed = false;  // SIGKILL was needed
    bool signalled_group = false;
    std::string text; // "stopped pid 42 (...) with SIGTERM in 35ms"
};

// Stops `target` as it was seen (its pid and start time: a pid reused since is left alone).
// With `whole_group`, signals its process group when every live member of that group carries
// the same GOLAUNCH_PID mark as `target` (a service's group, started by golaunch); otherwise
// only the pid. SIGTERM, then SIGKILL after `grace`, then waits up to 5 s more (2 s on Windows).
StopOutcome stop_process(const ProcessInfo& target, bool whole_group,
                         std::chrono::milliseconds grace);

} // namespace golaunch
