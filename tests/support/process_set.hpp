// The processes of one golaunch run, recorded by pid and start time (a pid the kernel hands
// out again later is not mistaken for one of them), to check that none is left behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace golaunch::test {

struct TrackedProcess {
    pid_t pid = 0;
    std::uint64_t start_ticks = 0;
    std::string command; // as it was when recorded, for the failure message
};

class ProcessSet {
  public:
    // Records `pid` if it runs now (not a zombie). Returns false if it does not.
    bool add(pid_t pid);
    // Records `root` and every live descendant of it.
    void add_tree(pid_t root);
    // Records every live process that carries golaunch's mark GOLAUNCH_PID=`golaunch_pid` in
    // its environment: daemons that left the process tree (setsid, double fork) still carry it.
    void add_marked(pid_t golaunch_pid);

    bool contains(pid_t pid) const;
    std::size_t size() const { return m_processes.size(); }

    // Those still running: same pid and start time, not a zombie.
    std::vector<TrackedProcess> still_running() const;
    // Polls every 5 ms until none runs or `timeout` passes; returns those still running.
    std::vector<TrackedProcess> wait_all_gone(std::chrono::milliseconds timeout) const;

  private:
    std::vector<TrackedProcess> m_processes;
};

// SIGKILLs every live process marked GOLAUNCH_PID=`golaunch_pid` (started by a golaunch this
// test ran): the clean-up of a failed containment test. Returns how many it killed. A pid of 0
// or less matches nothing (never "every unmarked process").
int kill_marked(pid_t golaunch_pid);

// "pid 123 (httpserver -name web), pid 124 (sleep 300)"
std::string describe(const std::vector<TrackedProcess>& processes);

// A count from the environment (e.g. GOLAUNCH_RELIABILITY_ROUNDS), `fallback` when unset or
// not a positive number.
int count_from_env(const char* name, int fallback);

} // namespace golaunch::test
