// What to do about a port below net.ipv4.ip_unprivileged_port_start that a service may not
// bind (it lacks CAP_NET_BIND_SERVICE). One answer per kind of service, printed alike by
// `golaunch check` (privileged-port, before the run) and by the EACCES diagnosis of `golaunch
// run` (supervise/bind_diagnosis.hpp, at the failed bind):
//   - every kind: a port >= the limit, or lower the limit with sysctl;
//   - go: no file capabilities: golaunch rebuilds .golaunch/bin/NAME, and a new file has none;
//   - cmd: `setcap cap_net_bind_service=+ep` on the program golaunch starts; golaunch then
//     starts it without its bind monitor, whose NO_NEW_PRIVS would make exec ignore the
//     capability (a program it starts in turn inherits NO_NEW_PRIVS: see shell);
//   - shell (or a program another one started): file capabilities cannot help, the program
//     runs under the bind monitor's NO_NEW_PRIVS; run it directly as `cmd` to use them. (At
//     run time a program seen running without NO_NEW_PRIVS, as under root's golaunch, which
//     needs none, gets setcap on itself.)
// Linux only: Windows has no privileged ports (and no sudo).
#pragma once

#include "manifest/manifest.hpp"

#include <cstdint>
#include <string>

namespace golaunch {

enum class LaunchKind { go, cmd, shell };

struct PrivilegedBind {
    std::uint16_t port = 0;
    int unprivileged_port_start = 1024;
    LaunchKind kind = LaunchKind::cmd;
    std::string launched; // what golaunch starts: .golaunch/bin/NAME, cmd[0] resolved, /bin/sh
    // At the failed bind (run): the program that called, and whether it runs with NO_NEW_PRIVS.
    // "" before the run (check), where the program golaunch starts is taken to be the one.
    std::string caller;
    bool caller_no_new_privs = true;
    bool root = false; // golaunch runs as root: the commands need no sudo
};

// The remedy: "pick a port >= 1024 ...; or ... `sudo sysctl -w ...`; ..." (one line).
std::string privileged_port_remedy(const PrivilegedBind& bind);

// How golaunch starts `service` for the advice: its kind and program (cmd[0] resolved on PATH
// as the launcher does, interpolated; /bin/sh for shell; .golaunch/bin/NAME for go).
PrivilegedBind privileged_bind_of(const Manifest& manifest, const ServiceSpec& service);

// The kind of a program golaunch started, as a bind event reports it (BindEvent::launched):
// go for a binary in .golaunch/bin/, shell for /bin/sh, else cmd.
LaunchKind launch_kind_of(const std::string& launched);

} // namespace golaunch
