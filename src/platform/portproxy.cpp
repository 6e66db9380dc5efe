#include "platform/portproxy.hpp"

#include "platform/socket_table.hpp"

#include <charconv>

namespace golaunch {

namespace {

struct AddressPort {
    std::string address;
    std::uint16_t port = 0;
};

std::string_view trimmed(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) {
        return {};
    }
    const auto last = text.find_last_not_of(" \t\r\n");
    return text.substr(first, last - first + 1);
}

std::optional<AddressPort> split_address_port(std::string_view text) {
    text = trimmed(text);
    const auto slash = text.rfind('/');
    if (slash == std::string_view::npos || slash == 0) {
        return std::nullopt;
    }
    const std::string_view port_text = text.substr(slash + 1);
    unsigned port = 0;
    const auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (port_text.empty() || error != std::errc() || end != port_text.data() + port_text.size() ||
        port == 0 || port > 65535) {
        return std::nullopt;
    }
    return AddressPort{std::string(trimmed(text.substr(0, slash))),
                       static_cast<std::uint16_t>(port)};
}

} // namespace

std::optional<PortProxyRule> parse_portproxy_value(std::string_view kind, std::string_view name,
                                                   std::string_view data) {
    const auto listen = split_address_port(name);
    const auto connect = split_address_port(data);
    if (!listen || !connect || listen->address.empty() || connect->address.empty()) {
        return std::nullopt;
    }
    return PortProxyRule{std::string(kind), listen->address, listen->port, connect->address,
                         connect->port};
}

std::string describe(const PortProxyRule& rule) {
    return rule.kind + " " + format_endpoint(rule.listen_address, rule.listen_port) + " -> " +
           format_endpoint(rule.connect_address, rule.connect_port);
}

} // namespace golaunch
