// The fallback Linux backend: ptrace + SECCOMP_RET_TRACE, with the tracing done by a helper
// process (ptrace_tracer-linux). For when seccomp user notification is unavailable (golaunch
// itself runs under a seccomp notifier: EBUSY; or an old kernel).
#pragma once

#include "monitor/bind_monitor.hpp"

#include <memory>
#include <string>

namespace golaunch {

// Forks the tracer helper (call it early, from a single thread). nullptr when ptrace or the
// filter is unavailable, the reason in `why_not`.
std::unique_ptr<BindMonitor> create_ptrace_monitor(std::string& why_not);

} // namespace golaunch
