// Run groups a dead golaunch left behind (kill -9, a crash, a power cut of the terminal): found
// by name beside our own run, recognised as dead by their pid, then emptied and removed.
#include "platform/cgroup.hpp"

#include "platform/cgroup_files-linux.hpp"
#include "platform/proc_fs-linux.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <climits>

namespace golaunch {

namespace {

using namespace std::chrono_literals;

constexpr auto k_kill_wait = 1000ms;

// The file name of a process's executable ("" when hidden or gone).
std::string exe_name(const std::string& link) {
    char target[PATH_MAX];
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0) {
        return {};
    }
    std::string path(target, static_cast<std::size_t>(n));
    const std::string deleted = " (deleted)"; // replaced by a rebuild while it ran
    if (path.size() > deleted.size() && path.ends_with(deleted)) {
        path.resize(path.size() - deleted.size());
    }
    return path.substr(path.rfind('/') + 1);
}

bool is_live_golaunch(int pid, const std::vector<std::string>& names) {
    if (pid == ::getpid()) {
        return true;
    }
    const UniqueFd proc = procfs::open_proc();
    const auto stat = proc.valid() ? procfs::read_stat_at(proc.get(), pid) : std::nullopt;
    if (!stat || stat->state == 'Z') {
        return false;
    }
    const std::string exe = exe_name("/proc/" + std::to_string(pid) + "/exe");
    return std::any_of(names.begin(), names.end(), [&](const std::string& name) {
        // comm holds at most 15 bytes: used only when the executable cannot be read.
        return exe.empty() ? !name.empty() && name.substr(0, 15) == stat->comm : exe == name;
    });
}

std::vector<LeftoverService> services_of(const std::string& dir) {
    std::vector<LeftoverService> services;
    for (const auto& group : cgroupfs::child_dirs(dir, "svc-")) {
        services.push_back({group.substr(4), cgroupfs::read_pids(dir + "/" + group)});
    }
    return services;
}

void record(std::vector<LeftoverService>& services, const std::string& name,
            const std::vector<int>& pids) {
    auto it = std::find_if(services.begin(), services.end(),
                           [&](const LeftoverService& s) { return s.name == name; });
    if (it == services.end()) {
        services.push_back({name, {}});
        it = std::prev(services.end());
    }
    for (const int pid : pids) {
        if (std::find(it->pids.begin(), it->pids.end(), pid) == it->pids.end()) {
            it->pids.push_back(pid);
        }
    }
}

} // namespace

std::vector<LeftoverRun> find_leftover_runs(const CgroupSupport& support,
                                            std::string_view project_id,
                                            const std::vector<std::string>& golaunch_names) {
    std::vector<LeftoverRun> runs;
    if (!support.usable || project_id.empty()) {
        return runs;
    }
    std::vector<std::string> names = golaunch_names;
    names.push_back("golaunch");
    names.push_back(exe_name("/proc/self/exe"));
    const std::string prefix = "golaunch-" + std::string(project_id) + "-";
    for (const auto& name : cgroupfs::child_dirs(support.own_dir, prefix)) {
        int pid = 0;
        if (!procfs::parse_number(std::string_view(name).substr(prefix.size()), pid) || pid <= 0 ||
            is_live_golaunch(pid, names)) {
            continue;
        }
        const std::string dir = support.own_dir + "/" + name;
        runs.push_back({dir, pid, services_of(dir)});
    }
    return runs;
}

CleanedRun clean_leftover_run(const LeftoverRun& run, std::chrono::milliseconds grace,
                              bool has_kill) {
    CleanedRun cleaned;
    cleaned.run.dir = run.dir;
    cleaned.run.golaunch_pid = run.golaunch_pid;
    // Listed again from the directory: what runs there now is what gets stopped.
    const auto groups = cgroupfs::child_dirs(run.dir, "svc-");
    for (const auto& group : groups) {
        const std::string dir = run.dir + "/" + group;
        record(cleaned.run.services, group.substr(4), cgroupfs::signal_pids(dir, SIGTERM));
        cgroupfs::signal_pids(dir, SIGCONT); // a stopped process cannot act on SIGTERM
    }
    if (!cgroupfs::wait_unpopulated(run.dir, grace)) {
        cleaned.forced = true;
        for (const auto& group : groups) {
            const std::string dir = run.dir + "/" + group;
            record(cleaned.run.services, group.substr(4), cgroupfs::read_pids(dir));
            cgroupfs::kill_group(dir, has_kill);
        }
        cgroupfs::kill_group(run.dir, has_kill); // and anything in the run dir itself
    }
    cleaned.removed = true;
    for (const auto& group : groups) {
        cleaned.removed =
            cgroupfs::remove_group(run.dir + "/" + group, k_kill_wait) && cleaned.removed;
    }
    cleaned.removed = cgroupfs::remove_group(run.dir, k_kill_wait) && cleaned.removed;
    std::erase_if(cleaned.run.services, [](const LeftoverService& s) { return s.pids.empty(); });
    return cleaned;
}

} // namespace golaunch
