// Everything golaunch started for one service, as one unit. Linux: the service's cgroup
// (platform/cgroup.hpp), which setsid, double forks and daemonizing cannot leave; where no
// cgroup can be had, the process group the service leads (its pgid is its pid; `go run`'s
// grandchildren stay in it, a setsid'd daemon does not). Windows: the Job Object the service was
// put in while still suspended, so every descendant is in it too, and closing the job's last
// handle (golaunch's exit, even a crash) kills them all.
// Stopping takes two steps where the platform has them: request_stop() asks (SIGTERM to the
// group; CTRL_BREAK to the console process group), kill() ends everything (SIGKILL to the
// group; TerminateJobObject).
#pragma once

#include <memory>
#include <vector>

namespace golaunch {

class ServiceCgroup;

class ProcessTree {
  public:
    ProcessTree() = default;
    // `id`: the leader's pid (also the group id on Linux). `job`: Windows' Job Object handle,
    // shared by every copy (the last copy closes it, which kills what still runs); null on Linux.
    ProcessTree(int id, std::shared_ptr<void> job)
        : m_id(id), m_job(std::move(job)), m_adopted(std::make_shared<std::vector<int>>()) {}
    // Linux: the service's cgroup, which then decides alive(), request_stop() and kill(). It
    // outlives every tree (the supervisor owns the run's cgroups).
    ProcessTree(int id, const ServiceCgroup* cgroup)
        : m_id(id), m_cgroup(cgroup), m_adopted(std::make_shared<std::vector<int>>()) {}

    int id() const { return m_id; }
    bool empty() const { return m_id <= 0; }
    // True while any process of the tree exists (in a process group zombies count: they hold
    // the group; a cgroup counts live processes only).
    bool alive() const;
    // A cgroup holds the tree: a process that leaves the process group is still in it.
    bool contained() const { return m_cgroup != nullptr; }
    const ServiceCgroup* cgroup() const { return m_cgroup; }
    // "cgroup", else tree_kind_name().
    const char* kind_name() const;
    // Whether `pid` belongs to the tree by membership (the cgroup); false without one.
    bool contains(int pid) const;
    // Asks every process of the tree to stop. False when that could not be delivered (the
    // caller then escalates to kill() without waiting).
    bool request_stop() const;
    // Ends every process of the tree now.
    void kill() const;

    // Without a cgroup: the process group of a process of this service that left the tree's
    // group (it called setsid) and was found under golaunch carrying this run's mark. From now
    // on it is part of the tree: alive(), request_stop() and kill() include it. Shared by every
    // copy of the tree.
    void adopt_group(int pgid) const;
    std::vector<int> adopted_groups() const;

  private:
    int m_id = 0;
    std::shared_ptr<void> m_job;
    const ServiceCgroup* m_cgroup = nullptr;
    std::shared_ptr<std::vector<int>> m_adopted;
};

// For the log: how a stop is asked for ("SIGTERM"), how it is forced ("SIGKILL"), and what a
// tree is called ("process group").
const char* stop_request_name();
const char* kill_name();
const char* tree_kind_name();
// True where the OS keeps every descendant in the tree by itself (Windows' Job Object); Linux
// needs a cgroup for that.
bool trees_hold_all_descendants();

} // namespace golaunch
