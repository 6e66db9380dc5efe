// Windows Defender Firewall's rules against a declared endpoint (read-only; Windows facts only):
//   firewall-blocks-program (warning): an active inbound block rule names the service's stable
//     exe, or has no program and covers its port, and the service listens on every interface:
//     other machines cannot reach it (loopback traffic is exempt from the firewall);
//   firewall-no-rule (warning): the service listens on every interface and no active inbound
//     allow rule names its stable exe or covers its port: the first run prompts, or, where
//     notifications are off, silently blocks. The remedy is the exact netsh command, for an
//     Administrator terminal; golaunch never runs it.
// When the rules could not be read, or the exe is not known (a shell service, a program on
// PATH), firewall-wildcard-bind (wildcard_bind_check.hpp) says what can be said without them.
#pragma once

#include "platform/net_config.hpp"
#include "preflight/check_context.hpp"

#include <string>
#include <vector>

namespace golaunch {

void check_windows_firewall(const CheckContext& context, const DeclaredEndpoint& endpoint,
                            const NetConfig& config, std::vector<Finding>& findings);

// The exe golaunch starts for `service` on Windows, whose path stays the same from run to run:
// .golaunch\bin\NAME.exe for a go service, cmd[0] when it is a path (relative to the service's
// directory) or an .exe next to the manifest; "" otherwise.
std::string windows_service_program(const Manifest& manifest, const ServiceSpec& service);

} // namespace golaunch
