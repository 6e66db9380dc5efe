// Runs a piece of test code in a forked child: in a fresh network or mount namespace, or as user
// nobody, and brings its text result back through a pipe. The child never outlives the call.
#pragma once

#include "preflight/finding.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace golaunch::test {

struct Isolation {
    bool new_netns = false;   // unshare(CLONE_NEWNET): only a (down) lo
    bool loopback_up = false; // then bring lo up (127.0.0.1 and ::1 appear)
    bool as_nobody = false;   // setresuid/setresgid to 65534: no capabilities left
    bool new_mountns = false; // unshare(CLONE_NEWNS), every mount made private: mounts made in
                              // the child vanish with it and never reach the host
};

// The text `body` returned in the child, or nullopt when the isolation could not be set up
// (the reason in `*why`), the child crashed, or it took longer than `timeout` (then killed).
std::optional<std::string>
call_isolated(const Isolation& isolation, const std::function<std::string()>& body,
              std::string* why = nullptr,
              std::chrono::milliseconds timeout = std::chrono::milliseconds(20'000));

// True when this machine lets us create a network namespace (root, no seccomp veto).
bool can_unshare_netns();

// Writes `value` to a /proc/sys file (in the calling process's namespace); false on failure.
bool write_sysctl(const std::string& path, const std::string& value);

// Runs a shell command (in the calling process's namespace), stdout/stderr to /dev/null;
// true on exit 0.
bool shell(const std::string& command);

// "id severity subject" per finding, one per line, then the message and evidence indented:
// what a child sends back, and what the assertions look into.
std::string findings_text(const std::vector<Finding>& findings);

} // namespace golaunch::test
