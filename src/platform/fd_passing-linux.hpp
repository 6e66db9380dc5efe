// Passing a file descriptor over a Unix socket (SCM_RIGHTS), with a small fixed-size payload in
// the same message: the seccomp listener back from the service, session sockets to the tracer.
#pragma once

#include "util/unique_fd.hpp"

#include <sys/types.h>

#include <cstddef>

namespace golaunch {

// Sends one message: `size` bytes from `data`, and `fd` attached (SCM_RIGHTS) unless it is
// negative. MSG_NOSIGNAL: a closed peer is an error, not a SIGPIPE. Async-signal-safe (no
// allocation): usable in a forked child before exec. True when the whole payload went.
bool send_with_fd(int socket, const void* data, std::size_t size, int fd) noexcept;

// Receives one message: at most `size` bytes into `data`, and the fd passed with it, if any,
// close-on-exec, into `fd` (untouched when none came). `flags` as for recvmsg (MSG_DONTWAIT).
// Returns recvmsg's result: the payload length, 0 at end of stream, or -1 with errno set.
ssize_t receive_with_fd(int socket, int flags, void* data, std::size_t size, UniqueFd& fd);

} // namespace golaunch
