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

constexpr int k_guard_fd = 3;

void sleep_ms(long ms) {
    timespec delay{ms / 1000, (ms % 1000) * 1'000'000};
    ::nanosleep(&delay, nullptr);
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
    std::vector<pid_t> groups;
    std::string pending;
    char buffer[512];
    while (true) {
        const ssize_t n = ::read(k_guard_fd, buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        pending.append(buffer, static_cast<std::size_t>(n));
        std::size_t newline = 0;
        while ((newline = pending.find('\n')) != std::string::npos) {
            const std::string line = pending.substr(0, newline);
            pending.erase(0, newline + 1);
            if (line.size() < 2) {
                continue;
            }
            const pid_t pgid = static_cast<pid_t>(std::atol(line.c_str() + 1));
            if (pgid <= 1) {
                continue;
            }
            if (line[0] == '+') {
                groups.push_back(pgid);
            } else {
                groups.erase(std::remove(groups.begin(), groups.end(), pgid), groups.end());
            }
        }
    }
    // golaunch is gone. Anything it left running gets SIGTERM, then SIGKILL after the grace.
    std::vector<pid_t> alive;
    for (pid_t pgid : groups) {
        if (process_group_alive(pgid)) {
            ::kill(-pgid, SIGTERM);
            ::kill(-pgid, SIGCONT);
            alive.push_back(pgid);
        }
    }
    // Done with a group once nothing in it runs. Its zombies do not count: golaunch, their
    // reaper, is gone, and whoever adopts them may reap them late (seen: ~2 s), which would
    // hold the guard for the whole grace and end in a pointless SIGKILL.
    for (long waited = 0; !alive.empty() && waited < grace_ms; waited += 20) {
        sleep_ms(20);
        alive.erase(std::remove_if(alive.begin(), alive.end(),
                                   [](pid_t g) { return members_of_process_group(g).empty(); }),
                    alive.end());
    }
    for (pid_t pgid : alive) {
        ::kill(-pgid, SIGKILL);
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
