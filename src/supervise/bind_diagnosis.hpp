// What a failed bind()/listen() means, said at once: who holds the port (EADDRINUSE, on any
// address of either family), why a privileged port is refused and the ways out for this kind
// of service (EACCES, as `golaunch check` says it), an address on no interface
// (EADDRNOTAVAIL). On Windows the hook reports Winsock codes: WSAEACCES 10013 with no owner
// and the port in an excluded range is winnat/Hyper-V's reservation; 10013 with an owner is
// that owner's exclusive bind; WSAEADDRINUSE 10048 names the owner; WSAEADDRNOTAVAIL 10049.
#pragma once

#include "monitor/bind_event.hpp"
#include "platform/net_config.hpp"
#include "platform/port_owners.hpp"
#include "platform/socket_table.hpp"
#include "platform/wfp_audit.hpp"

#include <string>
#include <vector>

namespace golaunch {

struct BindDiagnosis {
    std::string message;            // one sentence
    std::vector<std::string> facts; // evidence lines (owners, sysctl values, excluded ranges)
    std::string remedy;
};

// Reads the port's holders and the machine's NetConfig, then explains.
BindDiagnosis diagnose_bind_failure(const BindEvent& event, const SocketTable& table);

// The explanation from facts already read (pure: unit-tested on every platform). `users` are
// the sockets on the event's port (every state) with their owners; `caller` the process that
// called, when known. A code of 10000 or more is a Winsock error (WSABASEERR), anything below
// an errno. `audit`: what the Windows Security log said of WFP blocks (for WSAEACCES 10013).
BindDiagnosis diagnose_bind_error(const BindEvent& event, const std::vector<PortUser>& users,
                                  const NetConfig& config, const ProcessInfo* caller = nullptr,
                                  const WfpAudit* audit = nullptr);

// True for a Winsock error code (WSABASEERR 10000 and up).
bool is_winsock_error(int code);

// "WSAEACCES" / "WSAEADDRINUSE"... ("WSA error 10065" for others).
std::string winsock_error_name(int code);

// The Windows text of the common bind/listen errors ("" for others).
std::string winsock_error_text(int code);

namespace detail {
// Internal to bind_diagnosis*.cpp.
BindDiagnosis diagnose_winsock(const BindEvent& event, const std::vector<PortUser>& users,
                               const NetConfig& config, const WfpAudit* audit);
// A socket that keeps others off its port: a listener, a bound TCP or UDP socket.
bool holds_port(const SocketEntry& socket);
// The holders of the event's port (of any address and family), else the connections whose
// local end it is, else why nothing is seen.
std::vector<std::string> holder_facts(const BindEvent& event, const std::vector<PortUser>& users);
} // namespace detail

} // namespace golaunch
