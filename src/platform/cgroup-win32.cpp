// Windows has no cgroups: every service runs in a kill-on-close Job Object (launcher-win32),
// which holds everything it starts. These definitions exist so portable callers compile.
#include "platform/cgroup.hpp"

#include "util/error.hpp"

namespace golaunch {

namespace {
constexpr const char* k_unavailable = "unavailable: Windows uses the Job Object";
} // namespace

CgroupSupport probe_cgroups() {
    CgroupSupport support;
    support.reason = k_unavailable;
    return support;
}

bool join_cgroup_in_child(int) noexcept {
    return false;
}

ServiceCgroup::ServiceCgroup(std::string service, std::string dir, UniqueFd procs, bool has_kill)
    : m_service(std::move(service)), m_dir(std::move(dir)), m_procs(std::move(procs)),
      m_has_kill(has_kill) {}

std::string ServiceCgroup::events_path() const {
    return {};
}

bool ServiceCgroup::add_pid(int) const {
    return false;
}

std::vector<int> ServiceCgroup::pids() const {
    return {};
}

bool ServiceCgroup::populated() const {
    return false;
}

int ServiceCgroup::signal_all(int) const {
    return 0;
}

bool ServiceCgroup::kill() const {
    return false;
}

bool ServiceCgroup::remove(std::chrono::milliseconds) {
    return false;
}

RunCgroup::RunCgroup(const CgroupSupport&, std::string_view) {
    throw Error(std::string("cannot contain services in cgroups: ") + k_unavailable);
}

RunCgroup::~RunCgroup() = default;

ServiceCgroup& RunCgroup::add_service(const std::string&) {
    throw Error(std::string("cannot contain services in cgroups: ") + k_unavailable);
}

ServiceCgroup* RunCgroup::find(const std::string&) {
    return nullptr;
}

void RunCgroup::kill_all() {}

CgroupWatcher::CgroupWatcher() {
    throw Error(std::string("cannot watch cgroups: ") + k_unavailable);
}

int CgroupWatcher::add(const std::string&) {
    return -1;
}

void CgroupWatcher::remove(int) {}

std::vector<int> CgroupWatcher::read_changes() {
    return {};
}

std::vector<LeftoverRun> find_leftover_runs(const CgroupSupport&, std::string_view,
                                            const std::vector<std::string>&) {
    return {};
}

CleanedRun clean_leftover_run(const LeftoverRun& run, std::chrono::milliseconds, bool) {
    CleanedRun cleaned;
    cleaned.run = run;
    return cleaned;
}

} // namespace golaunch
