// The tracer process of the ptrace bind monitor: a helper forked from golaunch that PTRACE_SEIZEs
// each monitored service just before its exec, sees its bind()/listen() as SECCOMP_RET_TRACE
// stops, reads the result at syscall exit and reports it to golaunch. A helper, not golaunch
// itself: a tracer must waitpid(-1), which would reap golaunch's own children, and a tracee
// stays stopped until its tracer gets round to it, which golaunch's main loop must not delay.
#pragma once

#include <sys/types.h>

#include <cstdint>

namespace golaunch {

// golaunch -> tracer, on the control socket (SOCK_SEQPACKET).
enum class TracerRequestType : std::uint32_t {
    new_session = 1, // carries (SCM_RIGHTS) the tracer's end of the session socket
    end_session = 2, // stop reporting for `key` (its processes stay traced until they exit)
};

struct TracerRequest {
    TracerRequestType type = TracerRequestType::new_session;
    std::uint32_t reserved = 0;
    std::uint64_t key = 0;
};

// tracer -> golaunch, on the control socket: one bind()/listen() and its result.
struct TracerEvent {
    std::uint64_t key = 0;
    std::int32_t pid = 0;
    std::int32_t tid = 0;
    std::uint8_t is_listen = 0;
    std::uint8_t is_ipv6 = 0;
    std::uint8_t is_udp = 0;
    std::uint8_t reserved = 0;
    std::uint16_t port = 0;
    std::int32_t error = 0;
    std::int64_t system_ns = 0; // CLOCK_REALTIME at the call
    std::int64_t steady_ns = 0; // CLOCK_MONOTONIC at the call (same clock in both processes)
    char address[48] = {};
};

// The session socket (SOCK_SEQPACKET, one per launch): the child sends its pid (std::int32_t)
// and waits for the answer (std::int32_t: 0 once traced, else the errno of PTRACE_SEIZE).

// Runs the tracer loop in the calling (freshly forked) process until `control` reaches EOF,
// then exits; tracees still alive are detached by the kernel.
[[noreturn]] void run_ptrace_tracer(int control) noexcept;

} // namespace golaunch
