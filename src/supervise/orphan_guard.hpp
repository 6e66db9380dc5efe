// The orphan guard: a small helper process that outlives golaunch by design. golaunch tells
// it which process groups it started; when golaunch's end of the pipe closes (normal exit,
// crash or kill -9, the kernel closes it either way), the guard sends SIGTERM to every group
// still alive, waits a grace period, then SIGKILL. Together with PR_SET_PDEATHSIG and
// PR_SET_CHILD_SUBREAPER this leaves no service or grandchild behind.
// With the run's cgroup (platform/cgroup.hpp) it also covers what left the process groups
// (setsid, daemons): every svc-* group of the run dir gets SIGTERM to each of its processes,
// the grace, then cgroup.kill; then the service groups and the run dir are removed.
// Windows (orphan_guard-win32): the kill-on-close Job Object of every service is the guard
// (the kernel closes golaunch's handle however it ends), so this class does nothing there.
#pragma once

#include "util/unique_fd.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace golaunch {

class OrphanGuard {
  public:
    // Forks the guard. Call before starting services. `run_cgroup`: the RunCgroup's dir, if
    // known already (else watch_cgroup later, or never: then process groups only).
    explicit OrphanGuard(std::chrono::milliseconds grace, const std::string& run_cgroup = {});
    ~OrphanGuard();
    OrphanGuard(const OrphanGuard&) = delete;
    OrphanGuard& operator=(const OrphanGuard&) = delete;

    void watch_group(int pgid);
    void forget_group(int pgid);
    // The run cgroup dir to empty and remove on EOF ("" forgets it). Throws Error when the
    // path does not fit one pipe write (PIPE_BUF - 2 bytes) or holds a newline.
    void watch_cgroup(const std::string& run_cgroup_dir);
    int pid() const { return m_pid; } // -1 when there is no guard process
    // True while the guard process runs (a non-blocking look at its pidfd; works whoever
    // reaps it). False when there is no guard process (Windows).
    bool alive() const;
    // Readable once the guard has exited: for an Asio posix::stream_descriptor
    // (async_wait(wait_read)) to notice a dead guard. -1 without pidfd_open (Linux < 5.3)
    // or without a guard.
    int pidfd() const { return m_pidfd.get(); }

  private:
    void send(char op, int pgid);

    int m_pid = -1;
    UniqueFd m_pipe;
    UniqueFd m_pidfd;
};

// Makes this process the reaper of orphaned descendants (go run's grandchildren).
void become_child_subreaper();

// Reaps every zombie child of ours except those in `owned` (whose exit status others wait
// for): as child subreaper these are the orphans we adopted (a `go run` binary or a shell's
// child that outlived its parent), which otherwise keep their process group alive for ever.
// `owned` must list every child whose status someone still waits for.
void reap_orphans(const std::vector<int>& owned);

} // namespace golaunch
