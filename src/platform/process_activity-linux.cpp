// Process activity from /proc: /proc/PID/task/TID/{stat,syscall,wchan}, /proc/PID/fd, and the
// socket table (NETLINK_SOCK_DIAG) matched by inode.
#include "platform/process_activity.hpp"

#include "platform/proc_fs-linux.hpp"
#include "platform/process_info.hpp"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <set>

namespace golaunch {

namespace {

struct SyscallInfo {
    long number;
    const char* name;
    bool takes_fd;
};

// The syscalls a starting service is typically found in. Names follow the kernel's; a few
// exist on x86_64 only (aarch64 has just the p*/at variants).
const SyscallInfo k_syscalls[] = {
    {SYS_read, "read", true},
    {SYS_write, "write", true},
    {SYS_readv, "readv", true},
    {SYS_writev, "writev", true},
    {SYS_openat, "openat", false},
    {SYS_close, "close", true},
    {SYS_connect, "connect", true},
    {SYS_accept, "accept", true},
    {SYS_accept4, "accept4", true},
    {SYS_bind, "bind", true},
    {SYS_listen, "listen", true},
    {SYS_sendto, "sendto", true},
    {SYS_recvfrom, "recvfrom", true},
    {SYS_sendmsg, "sendmsg", true},
    {SYS_recvmsg, "recvmsg", true},
    {SYS_futex, "futex", false},
    {SYS_epoll_pwait, "epoll_pwait", false},
    {SYS_ppoll, "ppoll", false},
    {SYS_pselect6, "pselect6", false},
    {SYS_nanosleep, "nanosleep", false},
    {SYS_clock_nanosleep, "clock_nanosleep", false},
    {SYS_wait4, "wait4", false},
    {SYS_waitid, "waitid", false},
    {SYS_flock, "flock", true},
    {SYS_fcntl, "fcntl", true},
    {SYS_rt_sigsuspend, "rt_sigsuspend", false},
    {SYS_rt_sigtimedwait, "rt_sigtimedwait", false},
    {SYS_sched_yield, "sched_yield", false},
    {SYS_fsync, "fsync", true},
    {SYS_ioctl, "ioctl", true},
#ifdef SYS_epoll_wait
    {SYS_epoll_wait, "epoll_wait", false},
#endif
#ifdef SYS_epoll_pwait2
    {SYS_epoll_pwait2, "epoll_pwait2", false},
#endif
#ifdef SYS_poll
    {SYS_poll, "poll", false},
#endif
#ifdef SYS_select
    {SYS_select, "select", false},
#endif
#ifdef SYS_pause
    {SYS_pause, "pause", false},
#endif
#ifdef SYS_open
    {SYS_open, "open", false},
#endif
#ifdef SYS_vfork
    // A shell (dash) waits here until the child it started has exec'd.
    {SYS_vfork, "vfork", false},
#endif
};

const SyscallInfo* find_syscall(long number) {
    for (const auto& info : k_syscalls) {
        if (info.number == number) {
            return &info;
        }
    }
    return nullptr;
}

std::string trim(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) {
        text.pop_back();
    }
    return text;
}

// socket inode of /proc/PID/fd/FD, 0 when it is not a socket.
std::uint64_t fd_socket_inode(int proc_fd, pid_t pid, std::uint64_t fd) {
    char path[64];
    std::snprintf(path, sizeof path, "%d/fd/%llu", static_cast<int>(pid),
                  static_cast<unsigned long long>(fd));
    char link[64];
    const ssize_t length = ::readlinkat(proc_fd, path, link, sizeof link - 1);
    if (length <= 0) {
        return 0;
    }
    link[length] = '\0';
    unsigned long long inode = 0;
    return std::sscanf(link, "socket:[%llu]", &inode) == 1 ? inode : 0;
}

std::set<std::uint64_t> socket_inodes_of(int proc_fd, pid_t pid) {
    std::set<std::uint64_t> inodes;
    char path[32];
    std::snprintf(path, sizeof path, "%d/fd", static_cast<int>(pid));
    const UniqueFd dir(::openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
        return inodes;
    }
    procfs::for_each_entry(dir.get(), [&](const char* name) {
        char link[64];
        const ssize_t length = ::readlinkat(dir.get(), name, link, sizeof link - 1);
        if (length > 0) {
            link[length] = '\0';
            unsigned long long inode = 0;
            if (std::sscanf(link, "socket:[%llu]", &inode) == 1) {
                inodes.insert(inode);
            }
        }
        return true;
    });
    return inodes;
}

std::vector<ThreadActivity> read_threads(int proc_fd, pid_t pid) {
    std::vector<ThreadActivity> threads;
    char path[48];
    std::snprintf(path, sizeof path, "%d/task", static_cast<int>(pid));
    const UniqueFd task_dir(::openat(proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!task_dir.valid()) {
        return threads;
    }
    std::vector<pid_t> tids;
    procfs::for_each_entry(task_dir.get(), [&](const char* name) {
        if (const pid_t tid = procfs::pid_from_name(name); tid > 0) {
            tids.push_back(tid);
        }
        return true;
    });
    std::sort(tids.begin(), tids.end());
    for (const pid_t tid : tids) {
        char file[48];
        std::string text;
        std::snprintf(file, sizeof file, "%d/syscall", static_cast<int>(tid));
        ThreadActivity thread;
        if (procfs::read_file_at(task_dir.get(), file, text, 512)) {
            thread = parse_syscall_text(text);
        }
        thread.tid = tid;
        std::snprintf(file, sizeof file, "%d/stat", static_cast<int>(tid));
        if (procfs::read_file_at(task_dir.get(), file, text, 4096)) {
            if (const auto stat = procfs::parse_stat(text)) {
                thread.state = stat->state;
            }
        }
        std::snprintf(file, sizeof file, "%d/wchan", static_cast<int>(tid));
        if (procfs::read_file_at(task_dir.get(), file, text, 256)) {
            text = trim(text);
            thread.wchan = text == "0" ? "" : text;
        }
        if (thread.syscall >= 0 && syscall_takes_fd(thread.syscall)) {
            thread.fd_socket = fd_socket_inode(proc_fd, pid, thread.args[0]);
        }
        threads.push_back(std::move(thread));
    }
    return threads;
}

} // namespace

std::string syscall_name(long number) {
    const auto* info = find_syscall(number);
    return info ? info->name : "syscall " + std::to_string(number);
}

bool syscall_takes_fd(long number) {
    const auto* info = find_syscall(number);
    return info && info->takes_fd;
}

std::vector<ProcessActivity> read_tree_activity(pid_t root, pid_t pgid, const SocketTable& table) {
    std::set<pid_t> pids;
    if (root > 0 && process_alive(root)) {
        pids.insert(root);
    }
    if (pgid > 1) {
        for (const pid_t pid : members_of_process_group(pgid)) {
            pids.insert(pid);
        }
    }
    if (root > 0) {
        for (const pid_t pid : descendants_of(root)) {
            pids.insert(pid);
        }
    }
    std::vector<ProcessActivity> processes;
    const UniqueFd proc = procfs::open_proc();
    if (!proc.valid() || pids.empty()) {
        return processes;
    }
    std::map<std::uint64_t, pid_t> inode_owner;
    for (const pid_t pid : pids) {
        const auto info = read_process_info(pid);
        if (!info) {
            continue;
        }
        ProcessActivity activity;
        activity.pid = pid;
        activity.ppid = info->ppid;
        activity.name = info->name;
        activity.cmdline = info->cmdline;
        activity.threads = read_threads(proc.get(), pid);
        for (const auto inode : socket_inodes_of(proc.get(), pid)) {
            inode_owner.emplace(inode, pid);
        }
        processes.push_back(std::move(activity));
    }
    if (inode_owner.empty()) {
        return processes;
    }
    std::vector<SocketEntry> sockets;
    try {
        sockets = table.query(SocketQuery{});
    } catch (const std::exception&) {
        return processes; // the diagnosis goes on without sockets
    }
    for (auto& socket : sockets) {
        const auto found = inode_owner.find(socket.inode);
        if (socket.inode == 0 || found == inode_owner.end()) {
            continue;
        }
        for (auto& activity : processes) {
            if (activity.pid == found->second) {
                activity.sockets.push_back(socket);
            }
        }
    }
    return processes;
}

} // namespace golaunch
