// One bind() or listen() a monitored service made, with its result.
#pragma once

#include "platform/socket_table.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>

namespace golaunch {

enum class BindCall { bind, listen };

struct BindEvent {
    BindCall call = BindCall::bind;
    pid_t pid = 0; // the process (thread group)
    pid_t tid = 0; // the thread that made the call
    AddressFamily family = AddressFamily::ipv4;
    Protocol protocol = Protocol::tcp;
    std::string address; // "127.0.0.1", "::1", "::"
    std::uint16_t port = 0;
    int error = 0;         // 0 = success, else the errno the call returned
    bool wsa = false;      // Windows: `error` is a WSA code (10048 WSAEADDRINUSE), not an errno
    bool inferred = false; // seen in the socket table (poll backend), not at the call
    // The program golaunch started for the service (its cmd[0], /bin/sh, .golaunch/bin/NAME),
    // which may not be the one that called: "" when not known.
    std::string launched;
    std::chrono::system_clock::time_point time;   // when the call was made
    std::chrono::steady_clock::time_point steady; // same instant, for latencies
};

const char* to_string(BindCall call);

// "listen 127.0.0.1:8080 ok" / "bind [::]:80 failed: EACCES (Permission denied)".
std::string describe(const BindEvent& event);

// "EADDRINUSE", "EACCES", ... ("errno 123" for others). WSA codes (>= 10000) by their names:
// "WSAEADDRINUSE", ... ("WSA error 10099" for others).
std::string errno_name(int error);

// A short English text for a WSA error code (Winsock's own text is localized).
std::string wsa_error_text(int error);

} // namespace golaunch
