// Answers one seccomp notification for bind() or listen(): performs the call on a duplicate
// of the target's socket (pidfd_getfd; the same socket, so the effect is the target's own),
// with the target's standing over the socket's network namespace (capability_scope.hpp), and
// learns the exact result to reply with. Where golaunch cannot stand exactly where the target
// does, the call is not emulated: the kernel performs it as the target.
#pragma once

#include "monitor/bind_event.hpp"

#include <linux/seccomp.h>

#include <optional>

namespace golaunch {

struct Emulation {
    seccomp_notif_resp response{};  // what to send back
    std::optional<BindEvent> event; // what happened, unless not worth reporting
};

// `listener` is the notification fd (for SECCOMP_IOCTL_NOTIF_ID_VALID).
Emulation emulate_bind_call(int listener, const seccomp_notif& request);

} // namespace golaunch
