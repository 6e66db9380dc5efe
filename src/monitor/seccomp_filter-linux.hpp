// The seccomp filter that turns a service's bind() and listen() into user notifications.
// Built once in golaunch with libseccomp (which knows the architecture checks), exported as
// plain BPF, and installed in the child between fork and exec with raw syscalls only.
#pragma once

#include <linux/filter.h>

#include <string>
#include <vector>

namespace golaunch {

struct SeccompProgram {
    std::vector<sock_filter> code;
    bool no_new_privs = true;  // needed unless golaunch has CAP_SYS_ADMIN
    bool killable_wait = true; // SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (Linux >= 5.19)
};

// Throws golaunch::Error when libseccomp cannot build it.
SeccompProgram build_bind_filter();

// The same filter with SECCOMP_RET_TRACE instead (the ptrace backend): bind()/listen() stop the
// thread for its tracer, and fail with ENOSYS when it has none. Throws golaunch::Error.
SeccompProgram build_trace_filter();

// Async-signal-safe. Installs a build_trace_filter() program; returns 0 or -errno.
int install_trace_filter(const SeccompProgram& program) noexcept;

// Async-signal-safe. Installs the filter in the calling (single-threaded) process; returns the
// listener fd, or -errno.
int install_bind_filter(const SeccompProgram& program) noexcept;

// Why `executable` must not run under a filter that needs NO_NEW_PRIVS (and ptrace): exec then
// ignores setuid bits and file capabilities, so a `setcap cap_net_bind_service` server would
// get EACCES on :80. "" when nothing stands in the way.
std::string privilege_conflict(const std::string& executable);

// Forks a throw-away child that installs the filter. Empty when it works; else why not.
// Clears `program.killable_wait` when the kernel lacks that flag.
std::string probe_bind_filter(SeccompProgram& program);

} // namespace golaunch
