// A service is everything it starts: on Linux each service runs in a cgroup v2 group of its
// own, which setsid, double forks and daemonizing cannot leave. Stopping a service is SIGTERM
// to its cgroup.procs, then cgroup.kill; "gone" is cgroup.events saying "populated 0", which
// the kernel announces through inotify (no polling). This file is that building block:
//   probe_cgroups()  where cgroup2 is mounted, our own group, and whether we may use it (or
//                    exactly why not);
//   RunCgroup        <own cgroup>/golaunch-<project_id>-<golaunch pid>, one per golaunch run,
//                    with a ServiceCgroup svc-<name> per service;
//   CgroupWatcher    one inotify fd for every service's cgroup.events (for an Asio
//                    posix::stream_descriptor);
//   find_leftover_runs / clean_leftover_run  run groups a dead golaunch of the same project left.
// Only groups we created are touched: never our own group, never another project's run, never
// the run of a golaunch that is still alive.
// Windows (cgroup-win32): probe_cgroups() says "unavailable: Windows uses the Job Object"; the
// rest exists only so portable callers compile.
#pragma once

#include "util/unique_fd.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct CgroupSupport {
    bool usable = false;
    std::string mount;      // where cgroup2 is mounted ("/sys/fs/cgroup/unified"), "" if none
    std::string own_cgroup; // our group, the "0::PATH" of /proc/self/cgroup ("/")
    std::string own_dir;    // its directory: mount + own_cgroup
    bool has_kill = false;  // cgroup.kill exists (kernel >= 5.14)
    std::string reason;     // when !usable: why, in words, with what to do about it
};

// Reads /proc/self/mountinfo and /proc/self/cgroup, then tries to create (and removes) a probe
// group under own_dir. Never throws.
CgroupSupport probe_cgroups();

// The pure parts of the probe, for tests. The mount point of the cgroup2 mount that holds
// `own_cgroup` (octal escapes such as \040 undone), nullopt if none.
std::optional<std::string> cgroup2_dir_from_mountinfo(std::string_view mountinfo,
                                                      std::string_view own_cgroup,
                                                      std::string* mount = nullptr);
// The PATH of the "0::PATH" line of /proc/self/cgroup, nullopt if there is none.
std::optional<std::string> cgroup2_path_from_proc_cgroup(std::string_view text);
// Bytes outside [A-Za-z0-9_.-] become '_'; at most 200 bytes.
std::string sanitize_cgroup_name(std::string_view name);

// Moves the calling process into the group whose cgroup.procs is `procs_fd` (writes "0").
// For a forked child before exec: async-signal-safe, no allocation. False on failure (errno).
bool join_cgroup_in_child(int procs_fd) noexcept;

// One service's group. Made by RunCgroup::add_service; lives as long as the RunCgroup.
class ServiceCgroup {
  public:
    ServiceCgroup(std::string service, std::string dir, UniqueFd procs, bool has_kill);

    const std::string& service() const { return m_service; } // the name as given
    const std::string& dir() const { return m_dir; }         // .../svc-<sanitized>
    std::string events_path() const;                         // dir + "/cgroup.events"
    // cgroup.procs opened O_WRONLY|O_CLOEXEC, for join_cgroup_in_child in a forked child.
    int procs_fd() const { return m_procs.get(); }

    // Moves `pid` in from the parent's side. False when the process is gone (ESRCH); throws
    // Error on any other failure.
    bool add_pid(int pid) const;
    std::vector<int> pids() const; // cgroup.procs (processes, not threads; no zombies)
    bool populated() const;        // cgroup.events "populated 1"; false once the group is gone
    // Sends `sig` to every process listed, re-reading the list until no new pid shows up
    // (bounded rounds: a process forking faster than that escapes this round, not the group).
    // Returns how many processes were signalled.
    int signal_all(int sig) const;
    // cgroup.kill; without it (kernel < 5.14): SIGKILL to every listed pid, repeated until the
    // list is empty or 1 s passed (a fork between reading the list and the kill can survive a
    // round; cgroup.kill has no such race). True when the group is empty afterwards.
    bool kill() const;
    // rmdir, once populated() is false (waits up to `wait` for the last exits to be accounted).
    // Never removes a populated group. True when the directory is gone.
    bool remove(std::chrono::milliseconds wait = std::chrono::milliseconds(500));

  private:
    std::string m_service;
    std::string m_dir;
    UniqueFd m_procs;
    bool m_has_kill = false;
};

struct LeftoverService {
    std::string name; // the group's name without "svc-" (the sanitized service name)
    std::vector<int> pids;
};

struct LeftoverRun {
    std::string dir;
    int golaunch_pid = 0;
    std::vector<LeftoverService> services;
};

struct CleanedRun {
    LeftoverRun run;      // every process signalled, by service
    bool forced = false;  // some outlived SIGTERM and the grace: cgroup.kill (or SIGKILL)
    bool removed = false; // the run dir and its service dirs are gone
};

// One golaunch run's subtree. `project_id`: 1 to 64 letters and digits (a short hash of the
// manifest's absolute path). Throws Error (with the probe's reason) when it cannot be made.
// If the directory exists already, a dead golaunch that had our pid left it: it is cleaned
// (clean_leftover_run) first and what it held is in replaced().
class RunCgroup {
  public:
    RunCgroup(const CgroupSupport& support, std::string_view project_id);
    ~RunCgroup(); // removes the empty service groups and the run dir; never throws
    RunCgroup(const RunCgroup&) = delete;
    RunCgroup& operator=(const RunCgroup&) = delete;

    const std::string& dir() const { return m_dir; }
    // Creates svc-<sanitized name> (a suffix -2, -3... keeps two names that sanitize alike
    // apart). Throws Error when mkdir or opening cgroup.procs fails.
    ServiceCgroup& add_service(const std::string& service);
    ServiceCgroup* find(const std::string& service); // nullptr if not added
    // Kills every process of the run (cgroup.kill of the run dir, or per service).
    void kill_all();
    const std::optional<CleanedRun>& replaced() const { return m_replaced; }

  private:
    CgroupSupport m_support;
    std::string m_dir;
    std::vector<std::unique_ptr<ServiceCgroup>> m_services;
    std::optional<CleanedRun> m_replaced;
};

// Tells which service groups changed: one inotify fd (IN_NONBLOCK|IN_CLOEXEC) watching the
// cgroup.events file of each. The kernel sends IN_MODIFY when "populated" (or "frozen") flips;
// read the file (ServiceCgroup::populated) to learn the new state.
class CgroupWatcher {
  public:
    CgroupWatcher();                      // throws Error when inotify is unavailable
    int fd() const { return m_fd.get(); } // readable when read_changes() has something
    // Watches a cgroup.events file; returns the watch id. Throws Error on failure.
    int add(const std::string& events_path);
    void remove(int watch_id);
    // Drains the fd (never blocks); each watch id that fired, once.
    std::vector<int> read_changes();

  private:
    UniqueFd m_fd;
};

// The run dirs golaunch-<project_id>-<pid> beside ours (under support.own_dir) whose golaunch
// is gone: the pid is not alive, or runs something else. A live process counts as a golaunch
// when the name of its executable (or its comm) is "golaunch", one of `golaunch_names`, or
// the name of our own executable. Never lists our own run or another project's.
std::vector<LeftoverRun> find_leftover_runs(const CgroupSupport& support,
                                            std::string_view project_id,
                                            const std::vector<std::string>& golaunch_names = {});

// SIGTERM to every process of `run`, up to `grace` for them to go (watched via inotify),
// then cgroup.kill; then rmdir the service dirs and the run dir. Never throws.
CleanedRun clean_leftover_run(const LeftoverRun& run, std::chrono::milliseconds grace,
                              bool has_kill = true);

} // namespace golaunch
