// The primary Linux backend: a seccomp filter installed in the service just before exec sends
// each bind()/listen() to golaunch (SECCOMP_RET_USER_NOTIF), which answers it with the exact
// result. The listener fd comes back to golaunch over a socketpair (SCM_RIGHTS).
#include "monitor/bind_monitor.hpp"
#include "monitor/notify_server-linux.hpp"
#include "monitor/ptrace_monitor-linux.hpp"
#include "monitor/seccomp_filter-linux.hpp"
#include "platform/fd_passing-linux.hpp"

#include "util/error.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace golaunch {

namespace {

class NotifySession final : public MonitorSession, public ChildHook {
  public:
    NotifySession(NotifyServer& server, const SeccompProgram& program, BindEventHandler on_event)
        : m_server(server), m_program(program), m_on_event(std::move(on_event)) {
        int pair[2];
        if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
            throw Error(std::string("bind monitor: socketpair: ") + std::strerror(errno));
        }
        m_parent.reset(pair[0]);
        m_child.reset(pair[1]);
    }
    ~NotifySession() override {
        if (m_key != 0) {
            m_server.remove(m_key);
        }
    }

    ChildHook* child_hook() override { return this; }

    // In the child, after everything else and just before exec. Never fails the launch: if the
    // filter cannot be installed, the errno goes to golaunch, which falls back to polling.
    int in_child() noexcept override {
        const int listener = install_bind_filter(m_program);
        const int status = listener < 0 ? -listener : 0;
        send_with_fd(m_child.get(), &status, sizeof status, listener);
        if (listener >= 0) {
            ::close(listener); // the service must not hold its own listener
        }
        return 0;
    }

    void attach(pid_t pid) override {
        m_child.reset();
        int status = -1;
        UniqueFd listener;
        // The child sent before exec, and the launcher returns only once exec happened.
        const auto got =
            receive_with_fd(m_parent.get(), MSG_DONTWAIT, &status, sizeof status, listener);
        m_parent.reset();
        if (got != static_cast<ssize_t>(sizeof status)) {
            throw Error("bind monitor: pid " + std::to_string(pid) +
                        " sent no seccomp listener back");
        }
        if (status != 0 || !listener.valid()) {
            throw Error("bind monitor: pid " + std::to_string(pid) +
                        " could not install the seccomp filter: " + std::strerror(status));
        }
        m_key = m_server.add(std::move(listener), m_on_event);
    }

  private:
    NotifyServer& m_server;
    const SeccompProgram& m_program;
    BindEventHandler m_on_event;
    UniqueFd m_parent;
    UniqueFd m_child;
    std::uint64_t m_key = 0;
};

class SeccompNotifyMonitor final : public BindMonitor {
  public:
    explicit SeccompNotifyMonitor(SeccompProgram program) : m_program(std::move(program)) {}

    MonitorKind kind() const override { return MonitorKind::notify; }

    std::string description() const override {
        return std::string("seccomp user notification: every bind()/listen() is answered by "
                           "golaunch") +
               (m_program.killable_wait ? "" : " (kernel < 5.19: no killable wait)");
    }

    std::unique_ptr<MonitorSession> prepare(const std::string& executable,
                                            BindEventHandler on_event,
                                            std::string& why_not) override {
        if (m_program.no_new_privs) {
            why_not = privilege_conflict(executable);
            if (!why_not.empty()) {
                why_not += ": the filter needs NO_NEW_PRIVS, which would drop that privilege";
                return nullptr;
            }
        }
        return std::make_unique<NotifySession>(m_server, m_program,
                                               stamp_launched(executable, std::move(on_event)));
    }

  private:
    SeccompProgram m_program;
    NotifyServer m_server;
};

} // namespace

std::unique_ptr<BindMonitor> create_bind_monitor(MonitorKind requested, std::string& warning) {
    if (requested == MonitorKind::poll || requested == MonitorKind::off) {
        return nullptr;
    }
    if (requested == MonitorKind::hook) {
        throw Error("--monitor hook: the inline hook is the Windows backend; this is Linux",
                    ExitCode::usage, "--monitor auto picks seccomp notify, else ptrace");
    }
    std::string why_not;
    if (requested == MonitorKind::ptrace) {
        auto monitor = create_ptrace_monitor(why_not);
        if (!monitor) {
            throw Error("--monitor ptrace: " + why_not, ExitCode::usage,
                        "--monitor poll watches the socket table instead (successes only)");
        }
        return monitor;
    }
    try {
        auto program = build_bind_filter();
        why_not = probe_bind_filter(program);
        if (why_not.empty()) {
            return std::make_unique<SeccompNotifyMonitor>(std::move(program));
        }
    } catch (const Error& error) {
        why_not = error.what();
    }
    if (requested == MonitorKind::notify) {
        throw Error("--monitor notify: " + why_not, ExitCode::usage,
                    "--monitor ptrace traces the services instead; --monitor poll watches the "
                    "socket table (successes only)");
    }
    std::string ptrace_why_not;
    if (auto monitor = create_ptrace_monitor(ptrace_why_not)) {
        warning = "bind monitor: " + why_not +
                  "; using ptrace instead (a helper process traces "
                  "the services, so debuggers cannot attach to them)";
        return monitor;
    }
    warning = "bind monitor: " + why_not + "; " + ptrace_why_not +
              "; falling back to polling the socket table (bind failures are inferred)";
    return nullptr;
}

} // namespace golaunch
