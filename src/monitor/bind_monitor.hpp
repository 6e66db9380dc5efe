// The bind monitor: sees every bind()/listen() a service (and its children) makes, with the
// result, at the syscall level (Go makes raw syscalls, so LD_PRELOAD would see nothing).
// Backends, best first: seccomp user notification (seccomp_notify-linux), ptrace with
// SECCOMP_RET_TRACE in a helper process (ptrace_monitor-linux), socket-table
// polling (supervise/readiness, successes only). `off` turns it off (readiness still polls).
// Windows: an inline hook of ws2_32!bind/listen injected into the service (inline_hook-win32).
#pragma once

#include "monitor/bind_event.hpp"

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string>

namespace golaunch {

enum class MonitorKind { automatic, notify, ptrace, hook, poll, off };

// "auto" | "notify" | "ptrace" | "hook" | "poll" | "off"; throws golaunch::Error (usage) otherwise.
MonitorKind parse_monitor_kind(const std::string& text);
const char* to_string(MonitorKind kind);

// Runs between fork and exec of a monitored service: async-signal-safe code only.
class ChildHook {
  public:
    virtual ~ChildHook() = default;
    // Returns 0, or an errno that makes the launch fail.
    virtual int in_child() noexcept = 0;
    // Windows (no fork): runs in golaunch after the child was created with CREATE_SUSPENDED and
    // before its main thread resumes; `process` is the child's HANDLE. Returns 0, or a Win32
    // error that makes the launch fail. The Linux launcher never calls it.
    virtual unsigned long before_resume(void* process, unsigned long pid) noexcept {
        (void)process;
        (void)pid;
        return 0;
    }
};

using BindEventHandler = std::function<void(const BindEvent&)>;

// `on_event` with BindEvent::launched set to `executable`, for the backends' prepare().
BindEventHandler stamp_launched(const std::string& executable, BindEventHandler on_event);

// One monitored process tree. Lives as long as any process of that tree may still call bind:
// destroying it stops answering, and a filtered bind would then fail with ENOSYS.
class MonitorSession {
  public:
    virtual ~MonitorSession() = default;
    // Given to the launcher for the child; nullptr when this session needs nothing there.
    virtual ChildHook* child_hook() = 0;
    // Called in golaunch once the child exists (after exec succeeded). Throws on failure.
    virtual void attach(pid_t pid) = 0;
    // Called on golaunch's event loop when the process has exited, before the exit is handled:
    // returns once `on_event` has been called for every bind()/listen() of this session that
    // has returned in the process. An event is never lost because the exit came first.
    virtual void flush() {}
};

class BindMonitor {
  public:
    virtual ~BindMonitor() = default;
    virtual MonitorKind kind() const = 0;
    // One line for the log: what is watching and how.
    virtual std::string description() const = 0;
    // A session for one service launch. `on_event` is called from the monitor's own thread.
    // nullptr when this executable cannot be monitored (the reason in `why_not`).
    virtual std::unique_ptr<MonitorSession>
    prepare(const std::string& executable, BindEventHandler on_event, std::string& why_not) = 0;
};

// The best backend for `requested`. `automatic` falls back (Linux: notify -> ptrace -> poll;
// Windows: hook -> poll) and explains
// the fallback in `warning`; an explicit choice that is unavailable throws golaunch::Error. Returns
// nullptr for `poll` and `off` (the supervisor polls the socket table itself).
std::unique_ptr<BindMonitor> create_bind_monitor(MonitorKind requested, std::string& warning);

} // namespace golaunch
