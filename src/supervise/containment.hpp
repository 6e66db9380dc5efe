// Where a run keeps each service's processes together, decided once per run: Linux, a cgroup v2
// group per service under golaunch-<project id>-<pid> (platform/cgroup.hpp); without a writable
// cgroup, the process groups, said once with the reason. Windows: the Job Object, always.
// Also the clean-up of what an earlier run of the same manifest left when golaunch and its
// orphan guard were killed together: found by the run cgroup's name, stopped and reported
// before this run checks its ports.
#pragma once

#include "manifest/manifest.hpp"
#include "platform/cgroup.hpp"
#include "supervise/reporter.hpp"

#include <chrono>
#include <memory>
#include <string>

namespace golaunch {

struct RunContainment {
    std::unique_ptr<RunCgroup> cgroups; // null: process groups (Linux) or the Job Object
    std::string fallback;               // why there are no cgroups, when a warning is due
};

// Probes, then makes this run's cgroup subtree. Never throws: a failure becomes `fallback`.
RunContainment contain_run(const Manifest& manifest);

// Stops the processes that runs of this manifest left in their cgroups when golaunch and its
// guard died together (SIGTERM, `grace`, cgroup.kill), removes their groups and reports each
// as a `leftover_stopped` warning. Returns how many processes were stopped.
int stop_leftovers(const Manifest& manifest, std::chrono::milliseconds grace, Reporter& reporter);

} // namespace golaunch
