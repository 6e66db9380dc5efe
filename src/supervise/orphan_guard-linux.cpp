#include "supervise/orphan_guard.hpp"

#include "platform/process_info.hpp"
#include "util/error.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <vector>

namespace golaunch {

namespace {

// The layout getdents64 fills (glibc 2.36 has no wrapper declaration for it).
struct linux_dirent64_view {
    ino64_t d_ino;
    off64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[1];
};

constexpr int k_guard_fd = 3;
constexpr int k_max_groups = 4096;
constexpr std::size_t k_path_size = 4096;        // the run cgroup dir, with its NUL
constexpr int k_max_services = 512;              // svc-* groups of one run
constexpr std::size_t k_service_name_size = 256; // NAME_MAX + 1
constexpr long k_removal_wait_ms = 1000;         // after cgroup.kill, for the exits to be counted

// The guard runs between fork and nothing: golaunch may have had other threads at the fork
// (the bind monitor's, the preflight's last ones), whose locks (the allocator's above all; ASan's
// has no fork handler) stay locked in the child for ever. So from here on only async-signal-safe
// calls: raw syscalls, fixed buffers, no allocation. (Seen: a guard stuck in a futex in 2 of
// 400 kill -9 rounds under ASan, when it still used std::vector and std::string.)

void sleep_ms(long ms) {
    timespec delay{ms / 1000, (ms % 1000) * 1'000'000};
    ::nanosleep(&delay, nullptr);
}

struct GroupList {
    pid_t ids[k_max_groups];
    int count = 0;

    void add(pid_t pgid) {
        if (count < k_max_groups) {
            ids[count++] = pgid;
        }
    }
    void remove(pid_t pgid) {
        for (int i = 0; i < count; ++i) {
            if (ids[i] == pgid) {
                ids[i--] = ids[--count];
            }
        }
    }
};

// What golaunch told the guard: its process groups and its run cgroup.
struct GuardState {
    GroupList groups;
    char run_dir[k_path_size] = {}; // "" when there is none
};

void copy_path(char (&to)[k_path_size], const char* from, std::size_t length) {
    length = length < k_path_size ? length : k_path_size - 1;
    std::memcpy(to, from, length);
    to[length] = '\0';
}

// "+PGID", "-PGID" or "cPATH" (no newline) into `state`.
void apply_line(const char* line, std::size_t length, GuardState& state) {
    if (length >= 1 && line[0] == 'c') {
        copy_path(state.run_dir, line + 1, length - 1);
        return;
    }
    if (length < 2 || (line[0] != '+' && line[0] != '-')) {
        return;
    }
    long value = 0;
    for (std::size_t i = 1; i < length && line[i] >= '0' && line[i] <= '9'; ++i) {
        value = value * 10 + (line[i] - '0');
    }
    const auto pgid = static_cast<pid_t>(value);
    if (pgid <= 1) {
        return;
    }
    if (line[0] == '+') {
        state.groups.add(pgid);
    } else {
        state.groups.remove(pgid);
    }
}

// Reads the pipe until golaunch's end closes.
void read_until_eof(GuardState& state) {
    static char pending[k_path_size + 8];
    std::size_t used = 0;
    char buffer[512];
    while (true) {
        const ssize_t n = ::read(k_guard_fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return;
        }
        for (ssize_t i = 0; i < n; ++i) {
            if (buffer[i] == '\n') {
                apply_line(pending, used, state);
                used = 0;
            } else if (used < sizeof pending) {
                pending[used++] = buffer[i];
            }
        }
    }
}

// The next (possibly negative) decimal number after spaces; advances `cursor`.
long read_number(const char*& cursor) {
    while (*cursor == ' ') {
        ++cursor;
    }
    const bool negative = *cursor == '-';
    cursor += negative ? 1 : 0;
    long value = 0;
    while (*cursor >= '0' && *cursor <= '9') {
        value = value * 10 + (*cursor++ - '0');
    }
    return negative ? -value : value;
}

// State and process group from /proc/PID/stat: "pid (comm) S ppid pgrp ...". comm may hold
// spaces and parentheses, so the fields start after the last ')'.
bool running_in_group(int proc, const char* pid_name, pid_t pgid) {
    char path[64];
    std::size_t length = 0;
    for (const char* c = pid_name; *c != '\0' && length + 6 < sizeof path; ++c) {
        path[length++] = *c;
    }
    std::memcpy(path + length, "/stat", 6);
    const int fd = ::openat(proc, path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return false;
    }
    char stat[512];
    const ssize_t n = ::read(fd, stat, sizeof stat - 1);
    ::close(fd);
    if (n <= 0) {
        return false;
    }
    stat[n] = '\0';
    const char* close_paren = std::strrchr(stat, ')');
    if (close_paren == nullptr || close_paren[1] != ' ' || close_paren[2] == '\0') {
        return false;
    }
    const char state = close_paren[2];
    const char* cursor = close_paren + 3;
    read_number(cursor); // ppid
    const long group = read_number(cursor);
    return state != 'Z' && static_cast<pid_t>(group) == pgid;
}

// True while a process of `pgid` runs. Its zombies do not count: golaunch, their reaper, is
// gone, and whoever adopts them may reap them late (seen: ~2 s).
bool group_has_running_member(pid_t pgid) {
    const int proc = ::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (proc < 0) {
        return ::kill(-pgid, 0) == 0;
    }
    bool found = false;
    alignas(8) char entries[4096];
    long n = 0;
    while (!found && (n = ::syscall(SYS_getdents64, proc, entries, sizeof entries)) > 0) {
        for (long offset = 0; offset < n && !found;) {
            const auto* entry = reinterpret_cast<const linux_dirent64_view*>(entries + offset);
            offset += entry->d_reclen;
            if (entry->d_name[0] >= '1' && entry->d_name[0] <= '9') {
                found = running_in_group(proc, entry->d_name, pgid);
            }
        }
    }
    ::close(proc);
    return found;
}

// The run cgroup's svc-* groups, read with raw syscalls into fixed buffers.
struct ServiceDirs {
    char names[k_max_services][k_service_name_size];
    int count = 0;
};

void list_service_dirs(int run_fd, ServiceDirs& dirs) {
    alignas(8) char entries[4096];
    long n = 0;
    while ((n = ::syscall(SYS_getdents64, run_fd, entries, sizeof entries)) > 0) {
        for (long offset = 0; offset < n;) {
            const auto* entry = reinterpret_cast<const linux_dirent64_view*>(entries + offset);
            offset += entry->d_reclen;
            const std::size_t length = std::strlen(entry->d_name);
            if (entry->d_type == DT_DIR && std::strncmp(entry->d_name, "svc-", 4) == 0 &&
                length < k_service_name_size && dirs.count < k_max_services) {
                std::memcpy(dirs.names[dirs.count++], entry->d_name, length + 1);
            }
        }
    }
}

// Opens "SUB/FILE" below the run dir ("FILE" when `sub` is empty).
int open_in(int run_fd, const char* sub, const char* file, int flags) {
    char path[k_service_name_size + 32];
    std::size_t length = 0;
    for (const char* c = sub; *c != '\0' && length + 1 < k_service_name_size; ++c) {
        path[length++] = *c;
    }
    if (length > 0) {
        path[length++] = '/';
    }
    for (const char* c = file; *c != '\0' && length + 1 < sizeof path; ++c) {
        path[length++] = *c;
    }
    path[length] = '\0';
    return ::openat(run_fd, path, flags | O_CLOEXEC);
}

// `sig` to every pid in SUB/cgroup.procs (one number a line).
void signal_procs(int run_fd, const char* sub, int sig) {
    const int fd = open_in(run_fd, sub, "cgroup.procs", O_RDONLY);
    if (fd < 0) {
        return;
    }
    char buffer[4096];
    long pid = 0;
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0 || (n < 0 && errno == EINTR)) {
        for (ssize_t i = 0; i < n; ++i) {
            if (buffer[i] >= '0' && buffer[i] <= '9') {
                pid = pid * 10 + (buffer[i] - '0');
            } else {
                if (pid > 1) {
                    ::kill(static_cast<pid_t>(pid), sig);
                }
                pid = 0;
            }
        }
    }
    if (pid > 1) {
        ::kill(static_cast<pid_t>(pid), sig);
    }
    ::close(fd);
}

// SUB/cgroup.events says "populated 1" (the run dir's counts its whole subtree).
bool populated_in(int run_fd, const char* sub) {
    const int fd = open_in(run_fd, sub, "cgroup.events", O_RDONLY);
    if (fd < 0) {
        return false;
    }
    char text[256];
    const ssize_t n = ::read(fd, text, sizeof text - 1);
    ::close(fd);
    if (n <= 0) {
        return false;
    }
    text[n] = '\0';
    const char* at = std::strstr(text, "populated ");
    return at != nullptr && at[10] == '1';
}

bool write_one_in(int run_fd, const char* sub, const char* file) {
    const int fd = open_in(run_fd, sub, file, O_WRONLY);
    if (fd < 0) {
        return false;
    }
    const bool written = ::write(fd, "1", 1) == 1;
    ::close(fd);
    return written;
}

// cgroup.kill, or SIGKILL rounds where the kernel has none (< 5.14), bounded.
void kill_service(int run_fd, const char* sub) {
    if (write_one_in(run_fd, sub, "cgroup.kill")) {
        return;
    }
    for (int round = 0; round < 50 && populated_in(run_fd, sub); ++round) {
        signal_procs(run_fd, sub, SIGKILL);
        sleep_ms(10);
    }
}

// The guard's whole life. Reads "+PGID\n" / "-PGID\n" / "cPATH\n" until EOF, then cleans up.
[[noreturn]] void guard_main(long grace_ms, const char* run_dir) {
    ::prctl(PR_SET_NAME, "golaunch-guard");
    for (int signo : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) {
        ::signal(signo, SIG_IGN);
    }
    // Only the pipe stays open: the guard must not hold golaunch's sockets or terminals.
    if (::syscall(SYS_close_range, k_guard_fd + 1, ~0u, 0) != 0) {
        for (int fd = k_guard_fd + 1; fd < 4096; ++fd) {
            ::close(fd);
        }
    }
    static GuardState state; // static: off the inherited stack, still no allocation
    copy_path(state.run_dir, run_dir, std::strlen(run_dir));
    read_until_eof(state);
    // golaunch is gone. Anything it left running gets SIGTERM, then SIGKILL after the grace:
    // first by cgroup (which nothing can leave), then by process group.
    static ServiceDirs services;
    const int run_fd =
        state.run_dir[0] == '\0' ? -1 : ::open(state.run_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (run_fd >= 0) {
        list_service_dirs(run_fd, services);
    }
    for (int i = 0; i < services.count; ++i) {
        signal_procs(run_fd, services.names[i], SIGTERM);
        signal_procs(run_fd, services.names[i], SIGCONT);
    }
    static GroupList alive;
    for (int i = 0; i < state.groups.count; ++i) {
        if (process_group_alive(state.groups.ids[i])) {
            ::kill(-state.groups.ids[i], SIGTERM);
            ::kill(-state.groups.ids[i], SIGCONT);
            alive.add(state.groups.ids[i]);
        }
    }
    const auto cgroup_busy = [&] {
        return run_fd >= 0 && populated_in(run_fd, "");
    };
    for (long waited = 0; (alive.count > 0 || cgroup_busy()) && waited < grace_ms; waited += 20) {
        sleep_ms(20);
        for (int i = 0; i < alive.count; ++i) {
            if (!group_has_running_member(alive.ids[i])) {
                alive.remove(alive.ids[i--]);
            }
        }
    }
    for (int i = 0; i < services.count; ++i) {
        if (populated_in(run_fd, services.names[i])) {
            kill_service(run_fd, services.names[i]);
        }
    }
    for (int i = 0; i < alive.count; ++i) {
        ::kill(-alive.ids[i], SIGKILL);
    }
    if (run_fd >= 0) {
        // A killed process leaves its group a moment later; a populated group cannot go.
        for (long waited = 0; cgroup_busy() && waited < k_removal_wait_ms; waited += 10) {
            sleep_ms(10);
        }
        for (int i = 0; i < services.count; ++i) {
            ::unlinkat(run_fd, services.names[i], AT_REMOVEDIR);
        }
        ::close(run_fd);
        ::rmdir(state.run_dir);
    }
    ::_exit(0);
}

} // namespace

OrphanGuard::OrphanGuard(std::chrono::milliseconds grace, const std::string& run_cgroup) {
    // Copied before the fork: the guard may not allocate or touch std::string.
    char run_dir[k_path_size] = {};
    copy_path(run_dir, run_cgroup.data(), run_cgroup.size());
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        throw Error(std::string("cannot create the orphan guard pipe: ") + std::strerror(errno));
    }
    std::fflush(nullptr);
    m_pid = ::fork();
    if (m_pid < 0) {
        const int saved = errno;
        ::close(fds[0]);
        ::close(fds[1]);
        throw Error(std::string("cannot start the orphan guard: ") + std::strerror(saved));
    }
    if (m_pid == 0) {
        ::setpgid(0, 0); // Ctrl-C and the terminal's signals do not reach it
        ::dup2(fds[0], k_guard_fd);
        guard_main(static_cast<long>(grace.count()), run_dir);
    }
    ::close(fds[0]);
    m_pipe.reset(fds[1]);
    m_pidfd.reset(static_cast<int>(::syscall(SYS_pidfd_open, m_pid, 0))); // -1 before Linux 5.3
}

OrphanGuard::~OrphanGuard() {
    m_pipe.reset(); // EOF: the guard checks the groups (normally all gone) and exits
    if (m_pid > 0) {
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
}

bool OrphanGuard::alive() const {
    if (m_pid <= 0) {
        return false;
    }
    if (!m_pidfd.valid()) {
        return process_alive(m_pid);
    }
    pollfd exited{m_pidfd.get(), POLLIN, 0};
    return ::poll(&exited, 1, 0) == 0;
}

void OrphanGuard::watch_cgroup(const std::string& run_cgroup_dir) {
    if (run_cgroup_dir.size() + 2 > PIPE_BUF || run_cgroup_dir.find('\n') != std::string::npos) {
        throw Error("the orphan guard cannot take the cgroup path " + run_cgroup_dir);
    }
    const std::string line = "c" + run_cgroup_dir + "\n";
    // At most PIPE_BUF bytes: one atomic write (see send).
    [[maybe_unused]] const ssize_t ignored = ::write(m_pipe.get(), line.data(), line.size());
}

void OrphanGuard::send(char op, int pgid) {
    char line[32];
    const int length = std::snprintf(line, sizeof line, "%c%d\n", op, static_cast<int>(pgid));
    // A short write to a pipe of < PIPE_BUF bytes cannot happen; a failed one means the guard
    // died, which the caller cannot fix: the services still have PR_SET_PDEATHSIG.
    [[maybe_unused]] const ssize_t ignored =
        ::write(m_pipe.get(), line, static_cast<std::size_t>(length));
}

void OrphanGuard::watch_group(int pgid) {
    send('+', pgid);
}

void OrphanGuard::forget_group(int pgid) {
    send('-', pgid);
}

void become_child_subreaper() {
    ::prctl(PR_SET_CHILD_SUBREAPER, 1);
}

void reap_orphans(const std::vector<int>& owned) {
    for (const pid_t pid : zombie_children_of(::getpid())) {
        if (std::find(owned.begin(), owned.end(), pid) == owned.end()) {
            int status = 0;
            ::waitpid(pid, &status, WNOHANG);
        }
    }
}

} // namespace golaunch
