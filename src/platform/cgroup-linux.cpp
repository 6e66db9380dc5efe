#include "platform/cgroup.hpp"

#include "platform/cgroup_files-linux.hpp"
#include "util/error.hpp"

#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

namespace golaunch {

namespace {

using namespace std::chrono_literals;

constexpr const char* k_delegate_hint =
    "run as root or inside `systemd-run --user --scope -p Delegate=yes`";
constexpr auto k_replaced_grace = 1000ms;

std::string errno_text(int error) {
    return std::strerror(error);
}

CgroupSupport unusable(CgroupSupport support, std::string reason) {
    support.usable = false;
    support.reason = std::move(reason);
    return support;
}

} // namespace

CgroupSupport probe_cgroups() {
    CgroupSupport support;
    std::string text;
    if (!cgroupfs::read_text("/proc/self/cgroup", text)) {
        return unusable(support, "cannot read /proc/self/cgroup: " + errno_text(errno));
    }
    const auto own = cgroup2_path_from_proc_cgroup(text);
    if (!own) {
        return unusable(support, "no cgroup2 line (0::) in /proc/self/cgroup");
    }
    support.own_cgroup = *own;
    if (!cgroupfs::read_text("/proc/self/mountinfo", text)) {
        return unusable(support, "cannot read /proc/self/mountinfo: " + errno_text(errno));
    }
    const auto dir = cgroup2_dir_from_mountinfo(text, support.own_cgroup, &support.mount);
    if (!dir) {
        return unusable(support, support.mount.empty()
                                     ? "no cgroup2 mount in /proc/self/mountinfo"
                                     : "no cgroup2 mount in /proc/self/mountinfo holds our "
                                       "cgroup " +
                                           support.own_cgroup);
    }
    support.own_dir = *dir;
    // A real mkdir says more than access(W_OK): read-only mounts, depth and count limits.
    const std::string probe = support.own_dir + "/golaunch-probe-" + std::to_string(::getpid());
    if (::mkdir(probe.c_str(), 0755) != 0 && errno != EEXIST) {
        const int error = errno;
        return unusable(support, support.own_dir + " is not writable (" + errno_text(error) + "; " +
                                     k_delegate_hint + ")");
    }
    support.has_kill = ::access((probe + "/cgroup.kill").c_str(), F_OK) == 0;
    const bool can_move = ::access((probe + "/cgroup.procs").c_str(), W_OK) == 0 &&
                          ::access((support.own_dir + "/cgroup.procs").c_str(), W_OK) == 0;
    ::rmdir(probe.c_str());
    if (!can_move) {
        return unusable(support, support.own_dir +
                                     "/cgroup.procs is not writable, so processes "
                                     "cannot be moved into groups below it (" +
                                     k_delegate_hint + ")");
    }
    support.usable = true;
    return support;
}

bool join_cgroup_in_child(int procs_fd) noexcept {
    return ::write(procs_fd, "0", 1) == 1;
}

ServiceCgroup::ServiceCgroup(std::string service, std::string dir, UniqueFd procs, bool has_kill)
    : m_service(std::move(service)), m_dir(std::move(dir)), m_procs(std::move(procs)),
      m_has_kill(has_kill) {}

std::string ServiceCgroup::events_path() const {
    return m_dir + "/cgroup.events";
}

bool ServiceCgroup::add_pid(int pid) const {
    const std::string text = std::to_string(pid);
    if (::write(m_procs.get(), text.data(), text.size()) == static_cast<ssize_t>(text.size())) {
        return true;
    }
    if (errno == ESRCH) {
        return false;
    }
    throw Error("cannot move process " + text + " into " + m_dir + ": " + errno_text(errno));
}

std::vector<int> ServiceCgroup::pids() const {
    return cgroupfs::read_pids(m_dir);
}

bool ServiceCgroup::populated() const {
    return cgroupfs::populated(m_dir);
}

int ServiceCgroup::signal_all(int sig) const {
    return static_cast<int>(cgroupfs::signal_pids(m_dir, sig).size());
}

bool ServiceCgroup::kill() const {
    return cgroupfs::kill_group(m_dir, m_has_kill);
}

bool ServiceCgroup::remove(std::chrono::milliseconds wait) {
    return cgroupfs::remove_group(m_dir, wait);
}

RunCgroup::RunCgroup(const CgroupSupport& support, std::string_view project_id)
    : m_support(support) {
    if (!support.usable) {
        throw Error("cannot contain services in cgroups: " + support.reason);
    }
    const bool alphanumeric = std::all_of(project_id.begin(), project_id.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    });
    if (project_id.empty() || project_id.size() > 64 || !alphanumeric) {
        throw Error("invalid cgroup project id '" + std::string(project_id) +
                    "' (1 to 64 letters and digits)");
    }
    const std::string name =
        "golaunch-" + std::string(project_id) + "-" + std::to_string(::getpid());
    m_dir = support.own_dir + "/" + name;
    if (::mkdir(m_dir.c_str(), 0755) != 0 && errno == EEXIST) {
        // Our pid, our project: only a dead golaunch that had this pid can have made it.
        LeftoverRun stale{m_dir, ::getpid(), {}};
        for (const auto& group : cgroupfs::child_dirs(m_dir, "svc-")) {
            stale.services.push_back({group.substr(4), cgroupfs::read_pids(m_dir + "/" + group)});
        }
        m_replaced = clean_leftover_run(stale, k_replaced_grace, support.has_kill);
        ::mkdir(m_dir.c_str(), 0755);
    }
    struct stat info {};
    if (::stat(m_dir.c_str(), &info) != 0 || !S_ISDIR(info.st_mode)) {
        throw Error("cannot create the cgroup " + m_dir + ": " + errno_text(errno),
                    ExitCode::service_failed, k_delegate_hint);
    }
}

RunCgroup::~RunCgroup() {
    try {
        for (const auto& service : m_services) {
            if (!service->populated()) {
                service->remove(0ms);
            }
        }
        cgroupfs::remove_group(m_dir, 0ms);
    } catch (...) { // best effort: a destructor never throws
    }
}

ServiceCgroup& RunCgroup::add_service(const std::string& service) {
    const std::string base = "svc-" + sanitize_cgroup_name(service);
    std::string name = base;
    for (int suffix = 2; std::any_of(m_services.begin(), m_services.end(),
                                     [&](const auto& s) { return s->dir() == m_dir + "/" + name; });
         ++suffix) {
        name = base + "-" + std::to_string(suffix);
    }
    const std::string dir = m_dir + "/" + name;
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        throw Error("cannot create the cgroup " + dir + ": " + errno_text(errno),
                    ExitCode::service_failed, k_delegate_hint);
    }
    UniqueFd procs(::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
    if (!procs.valid()) {
        const int error = errno;
        ::rmdir(dir.c_str());
        throw Error("cannot open " + dir + "/cgroup.procs: " + errno_text(error),
                    ExitCode::service_failed, k_delegate_hint);
    }
    m_services.push_back(
        std::make_unique<ServiceCgroup>(service, dir, std::move(procs), m_support.has_kill));
    return *m_services.back();
}

ServiceCgroup* RunCgroup::find(const std::string& service) {
    for (const auto& entry : m_services) {
        if (entry->service() == service) {
            return entry.get();
        }
    }
    return nullptr;
}

void RunCgroup::kill_all() {
    if (!cgroupfs::kill_group(m_dir, m_support.has_kill)) {
        for (const auto& service : m_services) {
            service->kill();
        }
    }
}

CgroupWatcher::CgroupWatcher() : m_fd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
    if (!m_fd.valid()) {
        throw Error("cannot watch cgroups (inotify_init1): " + errno_text(errno));
    }
}

int CgroupWatcher::add(const std::string& events_path) {
    const int id = ::inotify_add_watch(m_fd.get(), events_path.c_str(), IN_MODIFY);
    if (id < 0) {
        throw Error("cannot watch " + events_path + ": " + errno_text(errno));
    }
    return id;
}

void CgroupWatcher::remove(int watch_id) {
    ::inotify_rm_watch(m_fd.get(), watch_id);
}

std::vector<int> CgroupWatcher::read_changes() {
    std::set<int> fired;
    alignas(inotify_event) char buffer[4096];
    while (true) {
        const ssize_t n = ::read(m_fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break; // EAGAIN: drained
        }
        for (ssize_t offset = 0; offset < n;) {
            const auto* event = reinterpret_cast<const inotify_event*>(buffer + offset);
            if ((event->mask & IN_MODIFY) != 0) {
                fired.insert(event->wd);
            }
            offset += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
        }
    }
    return {fired.begin(), fired.end()};
}

} // namespace golaunch
