// Readiness from the bind monitor's events: a service is ready the instant each declared port
// has a successful listen() (TCP) or bind() (UDP) in its process tree. Also notices listeners
// on ports or addresses the manifest did not declare. Pure: fed events, no I/O.
#pragma once

#include "monitor/bind_event.hpp"
#include "preflight/endpoint.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

class ListenTracker {
  public:
    // The service's endpoints as the preflight found them. An address (declared, or an IP read
    // from its command line) is compared with where it listens; "" or a name is not.
    explicit ListenTracker(std::vector<DeclaredEndpoint> ports);

    // What is wrong with a listen: its stable id (`undeclared-port`, `listens-on-every-interface`,
    // `listens-on-other-address`), the words, and the address the service was meant to use.
    struct Warning {
        std::string id;
        std::string text;
        std::string expected_address; // "" for an undeclared port
    };
    struct Update {
        bool became_ready = false;
        std::optional<Warning> warning;
    };
    Update on_event(const BindEvent& event);

    bool ready() const;
    std::vector<std::uint16_t> missing_ports() const;
    // "127.0.0.1:8080" for each declared port's listener(s), in declaration order.
    std::vector<std::string> listening() const;
    // Families listened on for `port` (to compare with what hosts resolve to).
    bool listens_on(std::uint16_t port, AddressFamily family) const;

  private:
    std::vector<DeclaredEndpoint> m_ports;
    std::map<std::uint16_t, std::vector<BindEvent>> m_listeners; // declared port -> listens
    std::vector<std::uint16_t> m_warned_ports;
    bool m_ready_reported = false;
};

} // namespace golaunch
