#include "monitor/ptrace_tracer-linux.hpp"

#include "platform/fd_passing-linux.hpp"
#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace golaunch {

namespace {

constexpr long k_seize_options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACESECCOMP |
                                 PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
constexpr int k_poll_ms = 200;       // a safety net: SIGCHLD (signalfd) normally wakes us
constexpr int k_max_ancestry = 16;   // how far up /proc we look for an unknown tracee's session
constexpr int k_max_sessions = 1024; // session sockets polled at once
constexpr int k_syscall_stop = SIGTRAP | 0x80;

std::int64_t now_ns(clockid_t clock) {
    timespec ts{};
    ::clock_gettime(clock, &ts);
    return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// "Tgid:" and "PPid:" of a task, from /proc (a thread id works as well as a pid).
struct Lineage {
    pid_t tgid = 0;
    pid_t ppid = 0;
};

Lineage read_lineage(pid_t tid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", tid);
    Lineage lineage;
    std::FILE* file = std::fopen(path, "re");
    if (file == nullptr) {
        return lineage;
    }
    char line[256];
    while (std::fgets(line, sizeof line, file) != nullptr) {
        if (std::strncmp(line, "Tgid:", 5) == 0) {
            lineage.tgid = static_cast<pid_t>(std::atol(line + 5));
        } else if (std::strncmp(line, "PPid:", 5) == 0) {
            lineage.ppid = static_cast<pid_t>(std::atol(line + 5));
        }
    }
    std::fclose(file);
    return lineage;
}

// A bind()/listen() between its seccomp stop and its syscall-exit stop.
struct Pending {
    TracerEvent event;
    UniqueFd socket; // a duplicate of the tracee's socket (for getsockname after listen)
};

void describe_address(const sockaddr_storage& address, TracerEvent& event) {
    if (address.ss_family == AF_INET) {
        const auto& in4 = reinterpret_cast<const sockaddr_in&>(address);
        ::inet_ntop(AF_INET, &in4.sin_addr, event.address, sizeof event.address);
        event.is_ipv6 = 0;
        event.port = ntohs(in4.sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
        ::inet_ntop(AF_INET6, &in6.sin6_addr, event.address, sizeof event.address);
        event.is_ipv6 = 1;
        event.port = ntohs(in6.sin6_port);
    }
}

class Tracer {
  public:
    explicit Tracer(int control) : m_control(control) {}

    [[noreturn]] void run() {
        sigset_t chld;
        ::sigemptyset(&chld);
        ::sigaddset(&chld, SIGCHLD);
        const UniqueFd signals(::signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK));
        std::vector<pollfd> fds;
        for (;;) {
            fds.clear();
            fds.push_back({m_control, POLLIN, 0});
            fds.push_back({signals.get(), POLLIN, 0});
            for (const auto& [fd, key] : m_session_sockets) {
                fds.push_back({fd, POLLIN, 0});
            }
            if (::poll(fds.data(), fds.size(), k_poll_ms) < 0 && errno != EINTR) {
                ::_exit(1);
            }
            if (fds[0].revents != 0 && !serve_control()) {
                ::_exit(0); // golaunch is gone or closed the monitor: the kernel detaches all
            }
            for (std::size_t i = 2; i < fds.size(); ++i) {
                if (fds[i].revents != 0) {
                    serve_session_socket(fds[i].fd);
                }
            }
            signalfd_siginfo info{};
            while (::read(signals.get(), &info, sizeof info) == sizeof info) {
            }
            reap();
        }
    }

  private:
    bool serve_control() {
        TracerRequest request;
        UniqueFd fd;
        const auto got = receive_with_fd(m_control, MSG_DONTWAIT, &request, sizeof request, fd);
        if (got < 0) {
            return errno == EINTR || errno == EAGAIN;
        }
        if (got != static_cast<ssize_t>(sizeof request)) {
            return false;
        }
        if (request.type == TracerRequestType::new_session && fd.valid() &&
            m_session_sockets.size() < k_max_sessions) {
            m_session_sockets[fd.release()] = request.key;
        } else if (request.type == TracerRequestType::end_session) {
            m_ended.insert(request.key);
        }
        return true;
    }

    // The child announces itself just before exec; it waits for our answer.
    void serve_session_socket(int fd) {
        std::int32_t pid = 0;
        const auto got = ::recv(fd, &pid, sizeof pid, MSG_DONTWAIT);
        if (got < 0 && (errno == EAGAIN || errno == EINTR)) {
            return;
        }
        const std::uint64_t key = m_session_sockets[fd];
        if (got != static_cast<ssize_t>(sizeof pid) || pid <= 0) {
            ::close(fd); // EOF: the child has exec'd (or the launch failed)
            m_session_sockets.erase(fd);
            return;
        }
        std::int32_t answer = 0;
        if (::ptrace(PTRACE_SEIZE, pid, nullptr, reinterpret_cast<void*>(k_seize_options)) != 0) {
            answer = errno;
        } else {
            m_tracees[pid] = key;
        }
        ::send(fd, &answer, sizeof answer, MSG_NOSIGNAL | MSG_DONTWAIT);
    }

    void reap() {
        for (;;) {
            int status = 0;
            const pid_t tid = ::waitpid(-1, &status, __WALL | WNOHANG);
            if (tid <= 0) {
                return;
            }
            handle(tid, status);
        }
    }

    std::uint64_t session_of(pid_t tid) {
        if (const auto found = m_tracees.find(tid); found != m_tracees.end()) {
            return found->second;
        }
        pid_t task = tid;
        for (int depth = 0; depth < k_max_ancestry && task > 1; ++depth) {
            const auto lineage = read_lineage(task);
            for (const pid_t candidate : {lineage.tgid, lineage.ppid}) {
                if (const auto found = m_tracees.find(candidate); found != m_tracees.end()) {
                    m_tracees[tid] = found->second;
                    return found->second;
                }
            }
            task = lineage.ppid;
        }
        m_tracees[tid] = 0; // traced, but of no session we know: answered, not reported
        return 0;
    }

    static void resume(pid_t tid, int request, int signo) {
        ::ptrace(static_cast<__ptrace_request>(request), tid, nullptr,
                 reinterpret_cast<void*>(static_cast<long>(signo)));
    }

    void handle(pid_t tid, int status) {
        if (WIFEXITED(status) || WIFSIGNALED(status)) {
            m_tracees.erase(tid);
            m_pending.erase(tid);
            return;
        }
        if (!WIFSTOPPED(status)) {
            return;
        }
        const int signo = WSTOPSIG(status);
        const int event = status >> 16;
        const std::uint64_t key = session_of(tid);
        if (signo == SIGTRAP && event == PTRACE_EVENT_SECCOMP) {
            on_seccomp_stop(tid, key);
        } else if (signo == k_syscall_stop) {
            on_syscall_exit(tid);
        } else if (event == PTRACE_EVENT_CLONE || event == PTRACE_EVENT_FORK ||
                   event == PTRACE_EVENT_VFORK) {
            unsigned long child = 0;
            if (::ptrace(PTRACE_GETEVENTMSG, tid, nullptr, &child) == 0 && child > 0) {
                m_tracees[static_cast<pid_t>(child)] = key;
            }
            resume(tid, PTRACE_CONT, 0);
        } else if (event == PTRACE_EVENT_STOP) {
            if (signo == SIGSTOP || signo == SIGTSTP || signo == SIGTTIN || signo == SIGTTOU) {
                resume(tid, PTRACE_LISTEN, 0); // a group-stop: stay stopped, but not for us
            } else {
                resume(tid, PTRACE_CONT, 0); // a new task's first stop, or an interrupt
            }
        } else if (event != 0) {
            resume(tid, PTRACE_CONT, 0);
        } else {
            resume(tid, PTRACE_CONT, signo); // signal-delivery stop: deliver it (SIGURG...)
        }
    }

    void on_seccomp_stop(pid_t tid, std::uint64_t key) {
        __ptrace_syscall_info info{};
        if (::ptrace(PTRACE_GET_SYSCALL_INFO, tid, reinterpret_cast<void*>(sizeof info), &info) <=
                0 ||
            info.op != PTRACE_SYSCALL_INFO_SECCOMP ||
            (info.seccomp.nr != __NR_bind && info.seccomp.nr != __NR_listen)) {
            resume(tid, PTRACE_CONT, 0);
            return;
        }
        Pending pending;
        pending.event.key = key;
        pending.event.tid = tid;
        pending.event.system_ns = now_ns(CLOCK_REALTIME);
        pending.event.steady_ns = now_ns(CLOCK_MONOTONIC);
        pending.event.is_listen = info.seccomp.nr == __NR_listen ? 1 : 0;
        pending.event.pid = read_lineage(tid).tgid;
        const UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pending.event.pid, 0)));
        if (pidfd.valid()) {
            pending.socket.reset(static_cast<int>(::syscall(
                SYS_pidfd_getfd, pidfd.get(), static_cast<int>(info.seccomp.args[0]), 0)));
        }
        int domain = 0;
        int type = 0;
        socklen_t size = sizeof domain;
        if (!pending.socket.valid() ||
            ::getsockopt(pending.socket.get(), SOL_SOCKET, SO_DOMAIN, &domain, &size) != 0 ||
            (domain != AF_INET && domain != AF_INET6)) {
            resume(tid, PTRACE_CONT, 0); // not an IP socket (or a bad fd): nothing to report
            return;
        }
        size = sizeof type;
        ::getsockopt(pending.socket.get(), SOL_SOCKET, SO_TYPE, &type, &size);
        pending.event.is_udp = type == SOCK_DGRAM ? 1 : 0;
        if (pending.event.is_listen == 0) {
            sockaddr_storage address{};
            const auto length = static_cast<std::size_t>(info.seccomp.args[2]);
            iovec local{&address, length};
            iovec remote{reinterpret_cast<void*>(info.seccomp.args[1]), length};
            if (length < sizeof(sa_family_t) || length > sizeof address ||
                ::process_vm_readv(tid, &local, 1, &remote, 1, 0) != static_cast<ssize_t>(length)) {
                resume(tid, PTRACE_CONT, 0); // the kernel answers EINVAL/EFAULT itself
                return;
            }
            describe_address(address, pending.event);
            if (pending.event.port == 0) {
                // Go's probe binds and ephemeral binds: the listen says which port it got.
                resume(tid, PTRACE_CONT, 0);
                return;
            }
        }
        m_pending[tid] = std::move(pending);
        resume(tid, PTRACE_SYSCALL, 0); // the next stop is this call's syscall-exit stop
    }

    void on_syscall_exit(pid_t tid) {
        __ptrace_syscall_info info{};
        const bool have = ::ptrace(PTRACE_GET_SYSCALL_INFO, tid,
                                   reinterpret_cast<void*>(sizeof info), &info) > 0 &&
                          info.op == PTRACE_SYSCALL_INFO_EXIT;
        const auto found = m_pending.find(tid);
        if (!have || found == m_pending.end()) {
            resume(tid, PTRACE_CONT, 0);
            if (found != m_pending.end()) {
                m_pending.erase(found);
            }
            return;
        }
        Pending pending = std::move(found->second);
        m_pending.erase(found);
        pending.event.error = info.exit.is_error != 0 ? static_cast<int>(-info.exit.rval) : 0;
        if (pending.event.is_listen != 0) {
            sockaddr_storage address{};
            socklen_t length = sizeof address;
            if (::getsockname(pending.socket.get(), reinterpret_cast<sockaddr*>(&address),
                              &length) == 0) {
                describe_address(address, pending.event);
            }
        }
        // First tell golaunch, then let it go: the record is in golaunch's socket before the
        // process can exit, so a flush at its exit finds it.
        if (pending.event.key != 0 && m_ended.count(pending.event.key) == 0) {
            ::send(m_control, &pending.event, sizeof pending.event, MSG_NOSIGNAL);
        }
        resume(tid, PTRACE_CONT, 0);
    }

    int m_control;
    std::unordered_map<int, std::uint64_t> m_session_sockets; // fd -> session key
    std::unordered_map<pid_t, std::uint64_t> m_tracees;       // tid -> session key (0: none)
    std::unordered_map<pid_t, Pending> m_pending;
    std::unordered_set<std::uint64_t> m_ended;
};

} // namespace

void run_ptrace_tracer(int control) noexcept {
    // Ctrl-C and the like reach golaunch's whole process group, this helper included: it
    // keeps answering while golaunch stops the services gracefully, and leaves on EOF.
    for (const int signo : {SIGINT, SIGQUIT, SIGHUP, SIGTERM, SIGPIPE, SIGTSTP, SIGTTIN, SIGTTOU}) {
        ::signal(signo, SIG_IGN);
    }
    for (int signo = 1; signo < NSIG; ++signo) {
        if (signo != SIGKILL && signo != SIGSTOP && signo != SIGINT && signo != SIGQUIT &&
            signo != SIGHUP && signo != SIGTERM && signo != SIGPIPE && signo != SIGTSTP &&
            signo != SIGTTIN && signo != SIGTTOU) {
            ::signal(signo, SIG_DFL);
        }
    }
    sigset_t mask;
    ::sigemptyset(&mask);
    ::sigaddset(&mask, SIGCHLD);
    ::sigprocmask(SIG_SETMASK, &mask, nullptr);
    try {
        Tracer(control).run();
    } catch (...) {
        ::_exit(2);
    }
}

} // namespace golaunch
