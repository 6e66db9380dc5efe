// A golaunch instance that is gone: the pid and start time of a process the test started and
// reaped, to record in a state file and to put in a holder's GOLAUNCH_PID.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace golaunch::test {

struct DeadInstance {
    pid_t pid = 0;
    std::uint64_t start_ticks = 0;
};

// Forks a child, reads its start time from /proc, kills and reaps it.
DeadInstance make_dead_instance();

} // namespace golaunch::test
