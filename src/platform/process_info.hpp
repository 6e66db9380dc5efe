// Facts about processes: who owns a socket inode, exe, command line, user, start time.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace golaunch {

struct ProcessInfo {
    pid_t pid = 0;
    pid_t ppid = 0;
    pid_t pgid = 0;
    std::string name;                 // comm (at most 15 bytes; set even when exe is hidden)
    std::string exe;                  // resolved executable path ("" when not permitted)
    std::vector<std::string> cmdline; // argv
    std::string user;                 // user name, or the numeric uid
    std::uint32_t uid = 0;
    std::uint64_t start_ticks = 0; // since boot, in clock ticks (identity together with pid)
    std::chrono::system_clock::time_point start_time;
    char state = '?'; // R, S, D, Z, T, ...
    // Linux: NoNewPrivs in /proc/PID/status (golaunch's bind monitor sets it): exec then
    // ignores setuid bits and file capabilities. Windows: always false.
    bool no_new_privs = false;
    // From /proc/PID/environ (readable for our own uid or as root): golaunch marks every
    // process it starts with GOLAUNCH_SERVICE=<service>, GOLAUNCH_PID=<golaunch pid> and
    // GOLAUNCH_PROJECT=<project id of the manifest> (manifest/project_id.hpp), inherited by
    // grandchildren too. Empty when unmarked or unreadable.
    std::string golaunch_service;
    pid_t golaunch_pid = 0;
    std::string golaunch_project;
};

// Windows: pid 4, "System", owns the sockets of http.sys, the kernel HTTP server that IIS,
// WinRM, SSDP, WCF, Web Deploy... register URLs with. Its ProcessInfo is named k_http_sys_owner.
inline constexpr pid_t k_windows_system_pid = 4;
inline constexpr const char* k_http_sys_owner =
    "http.sys (kernel HTTP server: IIS, WinRM, SSDP...; `netsh http show servicestate` lists "
    "the URLs it serves and the process that registered each)";

// Environment variable names of that mark.
inline constexpr const char* k_service_env = "GOLAUNCH_SERVICE";
inline constexpr const char* k_instance_env = "GOLAUNCH_PID";
inline constexpr const char* k_project_env = "GOLAUNCH_PROJECT";

// Reads /proc/PID. nullopt when the process does not exist (or vanished while reading).
std::optional<ProcessInfo> read_process_info(pid_t pid);

// Maps socket inodes to every pid holding them (a socket can be shared after fork). Scans
// /proc/*/fd (newest pid first, fd tables over 256 last), stopping early once every inode
// is found, then checks the ancestors of each owner (a pre-fork master holds its workers'
// listener). Processes we may not inspect are skipped; `denied` (if given) counts them so
// callers can say "run as root to see all owners".
std::map<std::uint64_t, std::vector<pid_t>>
find_socket_owners(const std::set<std::uint64_t>& inodes, int* denied = nullptr);

// Pids of all live descendants of `root` (children, grandchildren, ...), from /proc/*/stat.
// Zombies (exited, not yet waited for by their parent) are left out: they run nothing and
// hold no socket, and their children have been reparented already. zombie_children_of()
// lists them for whoever must reap them.
std::vector<pid_t> descendants_of(pid_t root);

// Pids of the zombie children of `parent`: exited and waiting for `parent` to reap them.
// For a child subreaper these include the orphans it adopted (reap_orphans).
std::vector<pid_t> zombie_children_of(pid_t parent);

// All live (non-zombie) pids in process group `pgid`.
std::vector<pid_t> members_of_process_group(pid_t pgid);

// True while any process (zombies included: they still hold the group id) is in group
// `pgid`; the signal-0 probe golaunch and its orphan guard use before signalling a group.
bool process_group_alive(pid_t pgid);

// True when `pid` exists and is not a zombie.
bool process_alive(pid_t pid);

// The command a person types to stop `pids` ("42 43"): "kill 42 43" / "taskkill /PID 42 /PID 43".
std::string kill_command_text(const std::vector<pid_t>& pids);

} // namespace golaunch
