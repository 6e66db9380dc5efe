#include "supervise/orphan_guard.hpp"

namespace golaunch {

// Every service runs in its own Job Object with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, created
// before its first instruction ran (launcher-win32): when golaunch ends, however it ends, the
// kernel closes the job handles and kills every process in them. No guard process is needed.
OrphanGuard::OrphanGuard(std::chrono::milliseconds, const std::string&) {}

OrphanGuard::~OrphanGuard() = default;

void OrphanGuard::send(char, int) {}

void OrphanGuard::watch_group(int) {}

void OrphanGuard::forget_group(int) {}

void OrphanGuard::watch_cgroup(const std::string&) {}

bool OrphanGuard::alive() const {
    return false;
}

// No zombies on Windows: an exited process is gone once its last handle closes.
void become_child_subreaper() {}

void reap_orphans(const std::vector<int>&) {}

} // namespace golaunch
