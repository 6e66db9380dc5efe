// The commands a remedy tells a person to run when they need the machine's own rights, worded
// for the platform golaunch runs on: `sudo ...` on Linux, an Administrator terminal and netsh
// or reg on Windows (admin_commands-linux.cpp, admin_commands-win32.cpp). Each result is a
// phrase that fits after "run " or "or ", with the command in backticks.
#pragma once

#include <cstdint>
#include <string>

namespace golaunch {

// `command` with the rights it needs: "`sudo CMD`" (just "`CMD`" when golaunch runs as root),
// or on Windows "`CMD` in a terminal opened with \"Run as administrator\"".
std::string elevated(const std::string& command);

// "run it as root: sudo CMD" / "run it from a terminal opened with "Run as administrator":
// CMD": the hint after an edit was refused for lack of rights.
std::string rerun_elevated_hint(const std::string& command);

// Who may edit a system file, for "(as root)": "root" / "an Administrator".
std::string admin_account();

// How to get the packet filter inspected when it could not be (a remedy phrase):
// `check_command` (the project's `golaunch check ...`) again, elevated.
std::string inspect_firewall_instruction(const std::string& check_command);

// How to install Go so that golaunch finds it.
std::string install_go_instruction();

// Where the ephemeral (dynamic) port range comes from, for evidence and messages:
// "net.ipv4.ip_local_port_range" / "netsh int ipv4 show dynamicport tcp".
std::string ephemeral_range_source();

// How to keep the ephemeral range off `port` (without moving the range).
std::string reserve_port_instruction(std::uint16_t port);

// How to give this machine `address` on its loopback interface.
std::string add_local_address_instruction(const std::string& address);

// How to turn IPv6 back on (loopback included), and keep it on after a reboot.
std::string enable_ipv6_instruction();

// How to put ::1 back on the loopback interface.
std::string restore_ipv6_loopback_instruction();

} // namespace golaunch
