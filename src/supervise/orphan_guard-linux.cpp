#include "supervise/orphan_guard.hpp"

#include "platform/process_info.hpp"
#include "util/error.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
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

// "+PGID" or "-PGID" (no newline) into `groups`.
void apply_line(const char* line, std::size_t length, GroupList& groups) {
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
        groups.add(pgid);
    } else {
        groups.remove(pgid);
    }
}

// Reads the pipe until golaunch's end closes.
void read_until_eof(GroupList& groups) {
    char pending[256];
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
                apply_line(pending, used, groups);
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

// The guard's whole life. Reads "+PGID\n" / "-PGID\n" until EOF, then cleans up.
[[noreturn]] void guard_main(long grace_ms) {
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
    static GroupList groups; // static: 16 KB off the inherited stack, still no allocation
    read_until_eof(groups);
    // golaunch is gone. Anything it left running gets SIGTERM, then SIGKILL after the grace.
    static GroupList alive;
    for (int i = 0; i < groups.count; ++i) {
        if (process_group_alive(groups.ids[i])) {
            ::kill(-groups.ids[i], SIGTERM);
            ::kill(-groups.ids[i], SIGCONT);
            alive.add(groups.ids[i]);
        }
    }
    for (long waited = 0; alive.count > 0 && waited < grace_ms; waited += 20) {
        sleep_ms(20);
        for (int i = 0; i < alive.count; ++i) {
            if (!group_has_running_member(alive.ids[i])) {
                alive.remove(alive.ids[i--]);
            }
        }
    }
    for (int i = 0; i < alive.count; ++i) {
        ::kill(-alive.ids[i], SIGKILL);
    }
    ::_exit(0);
}

} // namespace

OrphanGuard::OrphanGuard(std::chrono::milliseconds grace) {
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
        guard_main(static_cast<long>(grace.count()));
    }
    ::close(fds[0]);
    m_pipe.reset(fds[1]);
}

OrphanGuard::~OrphanGuard() {
    m_pipe.reset(); // EOF: the guard checks the groups (normally all gone) and exits
    if (m_pid > 0) {
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
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
