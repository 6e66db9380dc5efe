// What a failed bind()/listen() means, said at once: who holds the port (EADDRINUSE), why a
// privileged port is refused and the ways out (EACCES), an address on no interface
// (EADDRNOTAVAIL).
#pragma once

#include "monitor/bind_event.hpp"
#include "platform/socket_table.hpp"

#include <string>
#include <vector>

namespace golaunch {

struct BindDiagnosis {
    std::string message;            // one sentence
    std::vector<std::string> facts; // evidence lines (owners, sysctl values)
    std::string remedy;
};

BindDiagnosis diagnose_bind_failure(const BindEvent& event, const SocketTable& table);

} // namespace golaunch
