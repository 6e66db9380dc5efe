#include "supervise/listen_tracker.hpp"

#include "manifest/names.hpp"

#include <algorithm>

namespace golaunch {

namespace {

bool is_wildcard(const std::string& address) {
    return address == "0.0.0.0" || address == "::";
}

bool is_loopback(const std::string& address) {
    return address.rfind("127.", 0) == 0 || address == "::1" || address == "localhost";
}

} // namespace

ListenTracker::ListenTracker(std::vector<DeclaredEndpoint> ports) : m_ports(std::move(ports)) {}

ListenTracker::Update ListenTracker::on_event(const BindEvent& event) {
    Update update;
    const bool listening =
        event.error == 0 && (event.call == BindCall::listen ||
                             (event.call == BindCall::bind && event.protocol == Protocol::udp));
    if (!listening) {
        return update;
    }
    const auto declared =
        std::find_if(m_ports.begin(), m_ports.end(),
                     [&](const DeclaredEndpoint& p) { return p.port == event.port; });
    if (declared == m_ports.end()) {
        if (std::find(m_warned_ports.begin(), m_warned_ports.end(), event.port) ==
            m_warned_ports.end()) {
            m_warned_ports.push_back(event.port);
            update.warning = Warning{"undeclared-port",
                                     "listens on " + format_endpoint(event.address, event.port) +
                                         ", a port the manifest does not declare (add it to "
                                         "`ports` so golaunch checks it and waits for it)",
                                     ""};
        }
        return update;
    }
    m_listeners[event.port].push_back(event);
    const std::string& expected = declared->address;
    const std::string said =
        declared->address_declared ? "the manifest declares" : "its command line asks for";
    if (is_ip_address(expected) && expected != event.address) {
        if (is_wildcard(event.address) && is_loopback(expected)) {
            update.warning = Warning{"listens-on-every-interface",
                                     "listens on " + format_endpoint(event.address, event.port) +
                                         " (every interface) while " + said + " " + expected +
                                         ": reachable from the network, and on Windows a "
                                         "firewall prompt; bind " +
                                         expected + " instead",
                                     expected};
        } else if (!is_wildcard(event.address)) {
            update.warning = Warning{"listens-on-other-address",
                                     "listens on " + format_endpoint(event.address, event.port) +
                                         ", not on " + expected + " (" + said +
                                         " it): clients using that address will not reach it",
                                     expected};
        }
    }
    if (!m_ready_reported && ready()) {
        m_ready_reported = true;
        update.became_ready = true;
    }
    return update;
}

bool ListenTracker::ready() const {
    return std::all_of(m_ports.begin(), m_ports.end(),
                       [&](const DeclaredEndpoint& p) { return m_listeners.count(p.port) != 0; });
}

std::vector<std::uint16_t> ListenTracker::missing_ports() const {
    std::vector<std::uint16_t> missing;
    for (const auto& port : m_ports) {
        if (m_listeners.count(port.port) == 0) {
            missing.push_back(port.port);
        }
    }
    return missing;
}

std::vector<std::string> ListenTracker::listening() const {
    std::vector<std::string> where;
    for (const auto& port : m_ports) {
        const auto found = m_listeners.find(port.port);
        if (found == m_listeners.end()) {
            continue;
        }
        for (const auto& event : found->second) {
            where.push_back((event.protocol == Protocol::udp ? "udp " : "") +
                            format_endpoint(event.address, event.port));
        }
    }
    return where;
}

bool ListenTracker::listens_on(std::uint16_t port, AddressFamily family) const {
    const auto found = m_listeners.find(port);
    if (found == m_listeners.end()) {
        return false;
    }
    return std::any_of(found->second.begin(), found->second.end(), [&](const BindEvent& e) {
        // An IPv6 wildcard without IPV6_V6ONLY also takes IPv4; Go's "::" listeners do.
        return e.family == family || (e.address == "::" && family == AddressFamily::ipv4);
    });
}

} // namespace golaunch
