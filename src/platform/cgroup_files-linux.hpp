// The cgroup v2 interface files (cgroup.procs, cgroup.events, cgroup.kill) read and written by
// path, shared by the run/service groups (cgroup-linux) and the leftover cleanup
// (cgroup_leftovers-linux). Internal to src/platform.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch::cgroupfs {

// Whole file into `out`; false (errno set) when it cannot be opened or read.
bool read_text(const std::string& path, std::string& out);
// One write(2) of `text`; false (errno set) unless all of it was written.
bool write_text(const std::string& path, std::string_view text);

std::vector<int> read_pids(const std::string& dir); // dir/cgroup.procs
bool populated(const std::string& dir);             // dir/cgroup.events; false when gone
// `sig` to every pid of dir/cgroup.procs, re-read until no new pid shows up (bounded).
// Returns the pids signalled.
std::vector<int> signal_pids(const std::string& dir, int sig);
// cgroup.kill, or (without it) SIGKILL rounds for up to 1 s. True when empty afterwards.
bool kill_group(const std::string& dir, bool has_kill);
// Until dir's cgroup.events says "populated 0", woken by inotify, at most `timeout`.
bool wait_unpopulated(const std::string& dir, std::chrono::milliseconds timeout);
// rmdir after wait_unpopulated; never a populated group. True when the dir is gone.
bool remove_group(const std::string& dir, std::chrono::milliseconds wait);
// Names of the child directories of `dir` starting with `prefix`, sorted.
std::vector<std::string> child_dirs(const std::string& dir, std::string_view prefix);

} // namespace golaunch::cgroupfs
