// The ptrace backend in golaunch: forks the tracer helper once, hands it one session socket per
// launch, and turns its event records into BindEvents on a reader thread.
//
// Per launch: prepare() sends the tracer its end of a fresh socketpair; in the child, just
// before exec, in_child() allows the tracer to trace it (PR_SET_PTRACER, for Yama), sends its
// pid and waits until the tracer has PTRACE_SEIZEd it, then installs the SECCOMP_RET_TRACE
// filter on bind/listen. Children and threads are traced automatically (TRACECLONE/FORK).
#include "monitor/ptrace_monitor-linux.hpp"
#include "monitor/ptrace_tracer-linux.hpp"
#include "monitor/seccomp_filter-linux.hpp"
#include "platform/fd_passing-linux.hpp"

#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>

namespace golaunch {

namespace {

constexpr int k_seize_wait_ms = 5000; // the child waits this long for the tracer at most
constexpr int k_tracer_fd = 3;
constexpr int k_probe_errno_base = 100;
constexpr auto k_probe_wait = std::chrono::seconds(1);

// A SOCK_SEQPACKET pair, close-on-exec (the child uses its end before exec only).
std::pair<UniqueFd, UniqueFd> make_socket_pair() {
    int pair[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
        throw Error(std::string("ptrace bind monitor: socketpair: ") + std::strerror(errno));
    }
    return {UniqueFd(pair[0]), UniqueFd(pair[1])};
}

// Async-signal-safe: asks the tracer (over `session`) to trace us and waits for it. 0 when
// traced, else an errno.
int become_traced(pid_t tracer, int session) noexcept {
    ::prctl(PR_SET_PTRACER, tracer, 0, 0, 0); // Yama ptrace_scope=1: the tracer is no ancestor
    const std::int32_t pid = ::getpid();
    if (::send(session, &pid, sizeof pid, MSG_NOSIGNAL) != sizeof pid) {
        return errno;
    }
    pollfd wait{session, POLLIN, 0};
    if (::poll(&wait, 1, k_seize_wait_ms) != 1) {
        return ETIMEDOUT;
    }
    std::int32_t answer = 0;
    const auto got = ::recv(session, &answer, sizeof answer, 0);
    if (got != static_cast<ssize_t>(sizeof answer)) {
        return got == 0 ? EPIPE : errno;
    }
    return answer;
}

bool send_request(int control, const TracerRequest& request, int fd) {
    return send_with_fd(control, &request, sizeof request, fd);
}

BindEvent to_bind_event(const TracerEvent& record) {
    BindEvent event;
    event.call = record.is_listen != 0 ? BindCall::listen : BindCall::bind;
    event.pid = record.pid;
    event.tid = record.tid;
    event.family = record.is_ipv6 != 0 ? AddressFamily::ipv6 : AddressFamily::ipv4;
    event.protocol = record.is_udp != 0 ? Protocol::udp : Protocol::tcp;
    event.address.assign(record.address, ::strnlen(record.address, sizeof record.address));
    event.port = record.port;
    event.error = record.error;
    event.time = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(record.system_ns)));
    event.steady = std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::nanoseconds(record.steady_ns)));
    return event;
}

class PtraceMonitor;

class PtraceSession final : public MonitorSession, public ChildHook {
  public:
    PtraceSession(PtraceMonitor& monitor, std::uint64_t key, UniqueFd session, pid_t tracer,
                  const SeccompProgram& program)
        : m_monitor(monitor), m_key(key), m_session(std::move(session)), m_tracer(tracer),
          m_program(program) {
        auto [parent, child] = make_socket_pair();
        m_status_parent = std::move(parent);
        m_status_child = std::move(child);
    }
    ~PtraceSession() override;

    ChildHook* child_hook() override { return this; }

    // In the child, last thing before exec. Never fails the launch; attach() learns the errno.
    int in_child() noexcept override {
        int status = become_traced(m_tracer, m_session.get());
        if (status == 0) {
            const int rc = install_trace_filter(m_program);
            status = rc < 0 ? -rc : 0;
        }
        ::send(m_status_child.get(), &status, sizeof status, MSG_NOSIGNAL);
        return 0;
    }

    void flush() override;

    void attach(pid_t pid) override {
        m_session.reset();
        m_status_child.reset();
        int status = -1;
        // The child sent before exec, and the launcher returns only once exec happened.
        const auto got = ::recv(m_status_parent.get(), &status, sizeof status, MSG_DONTWAIT);
        m_status_parent.reset();
        if (got != static_cast<ssize_t>(sizeof status)) {
            throw Error("bind monitor: pid " + std::to_string(pid) +
                        " did not report whether it is traced");
        }
        if (status != 0) {
            throw Error("bind monitor: pid " + std::to_string(pid) +
                        " could not be traced: " + std::strerror(status));
        }
    }

  private:
    PtraceMonitor& m_monitor;
    std::uint64_t m_key;
    UniqueFd m_session; // the child's end of the session socket
    pid_t m_tracer;
    const SeccompProgram& m_program;
    UniqueFd m_status_parent;
    UniqueFd m_status_child;
};

class PtraceMonitor final : public BindMonitor {
  public:
    PtraceMonitor(SeccompProgram program, pid_t tracer, UniqueFd control)
        : m_program(std::move(program)), m_tracer(tracer), m_control(std::move(control)) {
        m_reader = std::thread([this] { read_events(); });
    }
    ~PtraceMonitor() override {
        ::shutdown(m_control.get(), SHUT_RDWR); // the tracer sees EOF and exits
        m_reader.join();
        m_control.reset();
        int status = 0;
        for (int tries = 0; tries < 100; ++tries) { // 1 s, then SIGKILL
            if (::waitpid(m_tracer, &status, WNOHANG) != 0) {
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
        ::kill(m_tracer, SIGKILL);
        ::waitpid(m_tracer, &status, 0);
    }

    MonitorKind kind() const override { return MonitorKind::ptrace; }

    std::string description() const override {
        return "ptrace + SECCOMP_RET_TRACE: a helper process (pid " + std::to_string(m_tracer) +
               ") traces the services and reports every bind()/listen()";
    }

    std::unique_ptr<MonitorSession> prepare(const std::string& executable,
                                            BindEventHandler on_event,
                                            std::string& why_not) override {
        why_not = privilege_conflict(executable);
        if (!why_not.empty()) {
            why_not += ": tracing it (and NO_NEW_PRIVS) would drop that privilege";
            return nullptr;
        }
        auto [tracer_end, child_end] = make_socket_pair();
        const std::uint64_t key = m_next_key.fetch_add(1) + 1;
        {
            const std::lock_guard lock(m_mutex);
            m_handlers[key] = stamp_launched(executable, std::move(on_event));
        }
        if (!send_request(m_control.get(), {TracerRequestType::new_session, 0, key},
                          tracer_end.get())) {
            remove(key);
            why_not = "the ptrace helper (pid " + std::to_string(m_tracer) + ") is gone";
            return nullptr;
        }
        return std::make_unique<PtraceSession>(*this, key, std::move(child_end), m_tracer,
                                               m_program);
    }

    void remove(std::uint64_t key) {
        {
            const std::lock_guard lock(m_mutex);
            m_handlers.erase(key);
        }
        send_request(m_control.get(), {TracerRequestType::end_session, 0, key}, -1);
    }

    // Delivers every record already in the control socket, in the caller's thread. The reader
    // takes records only under m_read_mutex and delivers them before letting go of it, so once
    // this holds it, nothing taken earlier is still undelivered.
    void flush() {
        const std::lock_guard lock(m_read_mutex);
        while (receive_one() == Received::record) {
        }
    }

  private:
    enum class Received { record, none, closed };

    // One record without blocking, delivered to its session's handler. m_read_mutex held.
    Received receive_one() {
        TracerEvent record;
        ssize_t got = 0;
        do {
            got = ::recv(m_control.get(), &record, sizeof record, MSG_DONTWAIT);
        } while (got < 0 && errno == EINTR);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return Received::none;
        }
        if (got != static_cast<ssize_t>(sizeof record)) {
            return Received::closed; // EOF: shut down, or the tracer died
        }
        const auto event = to_bind_event(record);
        const std::lock_guard lock(m_mutex); // held: no call after the session is gone
        if (const auto found = m_handlers.find(record.key); found != m_handlers.end()) {
            found->second(event);
        }
        return Received::record;
    }

    void read_events() {
        for (;;) {
            pollfd ready{m_control.get(), POLLIN, 0};
            if (::poll(&ready, 1, -1) < 0) {
                if (errno == EINTR) {
                    continue;
                }
                return;
            }
            const std::lock_guard lock(m_read_mutex);
            if (receive_one() == Received::closed) {
                return;
            }
        }
    }

    SeccompProgram m_program;
    pid_t m_tracer;
    UniqueFd m_control;
    std::atomic<std::uint64_t> m_next_key{0};
    std::mutex m_mutex;
    std::mutex m_read_mutex; // taking a record from m_control and delivering it
    std::unordered_map<std::uint64_t, BindEventHandler> m_handlers;
    std::thread m_reader;
};

PtraceSession::~PtraceSession() {
    m_monitor.remove(m_key);
}

void PtraceSession::flush() {
    m_monitor.flush();
}

// Forks the tracer; returns its pid and golaunch's end of the control socket.
pid_t fork_tracer(UniqueFd& control) {
    auto [ours, theirs] = make_socket_pair();
    const pid_t parent = ::getpid();
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw Error(std::string("ptrace bind monitor: fork: ") + std::strerror(errno));
    }
    if (pid == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
        if (::getppid() != parent) {
            ::_exit(0);
        }
        if (::dup2(theirs.get(), k_tracer_fd) != k_tracer_fd) {
            ::_exit(1);
        }
        ::syscall(SYS_close_range, k_tracer_fd + 1, ~0U, 0); // no pipes or sockets of golaunch
        run_ptrace_tracer(k_tracer_fd);
    }
    control = std::move(ours);
    return pid;
}

// A throw-away child goes the whole way: traced, filtered, then a loopback listen() on an
// ephemeral port, which the tracer must report. It does not when an outer supervisor's seccomp
// notifier also takes listen(): USER_NOTIF precedes TRACE, so the tracer would see nothing.
std::string probe(PtraceMonitor& monitor) {
    std::string why_not;
    std::mutex mutex;
    std::condition_variable changed;
    bool seen = false;
    auto session = monitor.prepare(
        "",
        [&](const BindEvent& event) {
            if (event.call == BindCall::listen && event.error == 0) {
                const std::lock_guard lock(mutex);
                seen = true;
                changed.notify_all();
            }
        },
        why_not);
    if (!session) {
        return why_not;
    }
    auto* hook = static_cast<PtraceSession*>(session.get());
    const pid_t child = ::fork();
    if (child < 0) {
        return std::string("fork failed: ") + std::strerror(errno);
    }
    if (child == 0) {
        hook->in_child();
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::listen(fd, 1) != 0) {
            ::_exit(k_probe_errno_base + (errno & 0x7f));
        }
        ::_exit(0);
    }
    int status = 0;
    while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
    }
    try {
        session->attach(child);
    } catch (const Error& error) {
        return error.what();
    }
    if (!WIFEXITED(status)) {
        return "the probe child was killed (signal " + std::to_string(WTERMSIG(status)) + ")";
    }
    if (WEXITSTATUS(status) != 0) {
        return std::string("a traced loopback listen() failed: ") +
               std::strerror(WEXITSTATUS(status) - k_probe_errno_base);
    }
    std::unique_lock lock(mutex);
    if (!changed.wait_for(lock, k_probe_wait, [&] { return seen; })) {
        return "a traced listen() was not seen: another supervisor's seccomp notifier takes "
               "bind()/listen() first (it precedes SECCOMP_RET_TRACE)";
    }
    return {};
}

} // namespace

std::unique_ptr<BindMonitor> create_ptrace_monitor(std::string& why_not) {
    try {
        auto program = build_trace_filter();
        UniqueFd control;
        const pid_t tracer = fork_tracer(control);
        auto monitor =
            std::make_unique<PtraceMonitor>(std::move(program), tracer, std::move(control));
        why_not = probe(*monitor);
        if (why_not.empty()) {
            return monitor;
        }
        why_not = "ptrace is unavailable: " + why_not;
    } catch (const Error& error) {
        why_not = error.what();
    }
    return nullptr;
}

} // namespace golaunch
