// Why a service is not ready: pure formatting of facts gathered elsewhere (the process tree's
// threads and sockets from platform/process_activity.hpp, the ports of the run, what listens
// on the machine), so every sentence is testable with hand-made facts.
//
//   pid 4242 (api): no listening socket yet
//   pid 4242 (api): connecting to 127.0.0.1:5432 (ports.db.pg of service db, not listening):
//       no answer to the connection request yet
//   pid 4242 (api): waiting for a DNS answer from 10.0.0.53:53 (UDP)
//   pid 4242 (api): listening on 127.0.0.1:9999, not the declared 8080
//   pid 4242 (api): 7 threads: futex x5, epoll_pwait x1, nanosleep x1 (Go-style runtime:
//       goroutines wait in the network poller; the sockets above say on what)
#pragma once

#include "platform/process_activity.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace golaunch {

struct PortOwnerName {
    std::string service;
    std::string port_name;
    bool ready = false; // that service is ready now
};

struct DiagnosisFacts {
    std::vector<std::uint16_t> declared_ports; // the service's, as assigned for this run
    std::vector<ProcessActivity> processes;    // its process tree
    // Every port of this run: number -> which service declared it under which name.
    std::map<std::uint16_t, PortOwnerName> run_ports;
    // Local TCP ports in LISTEN and bound UDP ports on this machine right now.
    std::set<std::uint16_t> tcp_listening;
    std::set<std::uint16_t> udp_bound;
};

// One line per finding, most telling first. Empty when there is nothing to say (no process).
std::vector<std::string> diagnose_startup(const DiagnosisFacts& facts);

// "waiting for I/O events (epoll)" for a syscall name; "" when there is nothing to add.
std::string describe_wait(const std::string& syscall);

} // namespace golaunch
