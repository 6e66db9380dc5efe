// The orphan guard: a small helper process that outlives golaunch by design. golaunch tells
// it which process groups it started; when golaunch's end of the pipe closes (normal exit,
// crash or kill -9, the kernel closes it either way), the guard sends SIGTERM to every group
// still alive, waits a grace period, then SIGKILL. Together with PR_SET_PDEATHSIG and
// PR_SET_CHILD_SUBREAPER this leaves no service or grandchild behind.
// Windows (orphan_guard-win32): the kill-on-close Job Object of every service is the guard
// (the kernel closes golaunch's handle however it ends), so this class does nothing there.
#pragma once

#include "util/unique_fd.hpp"

#include <chrono>
#include <vector>

namespace golaunch {

class OrphanGuard {
  public:
    // Forks the guard. Call before starting services.
    explicit OrphanGuard(std::chrono::milliseconds grace);
    ~OrphanGuard();
    OrphanGuard(const OrphanGuard&) = delete;
    OrphanGuard& operator=(const OrphanGuard&) = delete;

    void watch_group(int pgid);
    void forget_group(int pgid);
    int pid() const { return m_pid; } // -1 when there is no guard process

  private:
    void send(char op, int pgid);

    int m_pid = -1;
    UniqueFd m_pipe;
};

// Makes this process the reaper of orphaned descendants (go run's grandchildren).
void become_child_subreaper();

// Reaps every zombie child of ours except those in `owned` (whose exit status others wait
// for): as child subreaper these are the orphans we adopted (a `go run` binary or a shell's
// child that outlived its parent), which otherwise keep their process group alive for ever.
// `owned` must list every child whose status someone still waits for.
void reap_orphans(const std::vector<int>& owned);

} // namespace golaunch
