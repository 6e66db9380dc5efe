// One service's readiness behind one interface, its engine chosen once per launch: the bind
// monitor's listen() events (ListenTracker) when a monitor session is attached to the launch,
// else the socket table polled (ReadinessProbe). The supervisor asks either the same questions
// and never runs both for one service.
#pragma once

#include "monitor/bind_event.hpp"
#include "platform/socket_table.hpp"
#include "supervise/listen_tracker.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace golaunch {

class ServiceReadiness {
  public:
    virtual ~ServiceReadiness() = default;

    // True for the socket-table engine: the supervisor calls poll() on a timer. The monitor's
    // engine learns from on_bind_event() alone.
    virtual bool polled() const = 0;
    // Re-reads the socket table (polled engine); true once every declared port listens.
    virtual bool poll() = 0;
    // A successful or failed bind()/listen() of the service (monitor engine; the polled engine
    // ignores it and returns an empty update).
    virtual ListenTracker::Update on_bind_event(const BindEvent& event) = 0;

    virtual bool ready() const = 0;
    // "127.0.0.1:8080" ("[::1]:8080", "udp 127.0.0.1:53") for each declared port's listeners.
    virtual std::vector<std::string> listening() const = 0;
    virtual std::vector<std::uint16_t> missing_ports() const = 0;
    // Whether `port` listens on `family` (an IPv6 wildcard counts for IPv4 too).
    virtual bool listens_on(std::uint16_t port, AddressFamily family) const = 0;
};

// Readiness from the bind monitor's events.
std::unique_ptr<ServiceReadiness> monitored_readiness(std::vector<DeclaredEndpoint> ports);

// Readiness from the socket table: every declared port has a listener owned by the service
// (its process group and descendants, or `member`: its cgroup).
std::unique_ptr<ServiceReadiness> polled_readiness(const SocketTable& table, pid_t service_pid,
                                                   std::vector<std::uint16_t> ports,
                                                   std::function<bool(pid_t)> member);

} // namespace golaunch
