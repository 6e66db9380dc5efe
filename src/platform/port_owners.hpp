// Who uses a port: the sockets on it from the socket table, each with the processes holding it.
#pragma once

#include "platform/process_info.hpp"
#include "platform/socket_table.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

struct PortUser {
    SocketEntry socket;
    std::vector<ProcessInfo> owners; // empty: TIME-WAIT, or the owner is hidden from us
};

// Every socket on local `port` (TCP and UDP, IPv4 and IPv6; with `listening_only`, TCP
// listeners and bound UDP sockets), tcp before udp, IPv4 before IPv6. `denied` (if given)
// receives the number of processes whose sockets we may not inspect.
std::vector<PortUser> find_port_users(const SocketTable& table, std::uint16_t port,
                                      bool listening_only, int* denied = nullptr);

// argv quoted for a shell, on one line: control characters become \n, \t, \xHH.
std::string command_line_text(const std::vector<std::string>& argv);

// "/usr/bin/python3 -m http.server": the exe with argv[1...], else argv, else "[comm]".
// Always one line.
std::string owner_command(const ProcessInfo& info);

// Local time: "12:03:04" for today (unless `always_date`), else "2026-11-25 12:03:04".
std::string format_start_time(std::chrono::system_clock::time_point time, bool always_date);

// "pid 4242 /usr/bin/python3 -m http.server (user bob, started 12:03:04, golaunch service api)"
std::string describe_owner(const ProcessInfo& info);

// True when the process carries golaunch's mark and that golaunch is still alive: GOLAUNCH_PID
// names a live process whose exe is called "golaunch" and that started no later than `info`.
bool started_by_golaunch(const ProcessInfo& info);

} // namespace golaunch
