// What a process tree is doing right now, for the startup-timeout diagnosis: each thread's
// state, the syscall it is blocked in (with the socket its fd argument names), the kernel
// function it sleeps in, and every TCP/UDP socket the processes hold. Facts only; the words
// are startup_diagnosis.hpp's.
#pragma once

#include "platform/socket_table.hpp"

#include <sys/types.h>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct ThreadActivity {
    pid_t tid = 0;
    char state = '?';     // R, S, D, T, Z, ...
    bool running = false; // on a CPU (/proc/.../syscall says "running")
    long syscall = -1;    // blocked in this syscall; -1 when in user space or unknown
    std::array<std::uint64_t, 6> args{};
    std::string wchan;           // kernel function it sleeps in ("" when none or hidden)
    std::uint64_t fd_socket = 0; // inode when args[0] is an fd naming a socket, else 0
};

struct ProcessActivity {
    pid_t pid = 0;
    pid_t ppid = 0;
    std::string name; // comm
    std::vector<std::string> cmdline;
    std::vector<ThreadActivity> threads;
    std::vector<SocketEntry> sockets; // TCP/UDP sockets it holds (all states)
};

// Parses the text of /proc/PID/task/TID/syscall: "NR a1 a2 a3 a4 a5 a6 SP PC", "-1 SP PC"
// (not in a syscall) or "running". Unparseable text gives syscall = -1.
ThreadActivity parse_syscall_text(std::string_view text);

// The name of a syscall number on this architecture ("futex"), or "syscall N".
std::string syscall_name(long number);

// True when the syscall's first argument is a file descriptor (read, connect, accept4, ...).
bool syscall_takes_fd(long number);

// Every process of process group `pgid` and every descendant of `root` (go run's grandchild,
// a shell's child), with its threads and sockets. Reading another user's process may need
// root or ptrace rights; what cannot be read is left out.
std::vector<ProcessActivity> read_tree_activity(pid_t root, pid_t pgid, const SocketTable& table);

} // namespace golaunch
