#include "platform/net_config.hpp"

#include "util/strings.hpp"

#include <charconv>

namespace golaunch {

namespace {

std::optional<std::uint16_t> parse_port(std::string_view text) {
    text = trim(text);
    unsigned value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() ||
        value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

} // namespace

std::optional<PortRange> parse_port_range(std::string_view text) {
    text = trim(text);
    const auto gap = text.find_first_of(" \t");
    if (gap == std::string_view::npos) {
        return std::nullopt;
    }
    const auto first = parse_port(text.substr(0, gap));
    const auto last = parse_port(text.substr(gap + 1));
    if (!first || !last || *first > *last) {
        return std::nullopt;
    }
    return PortRange{*first, *last};
}

std::vector<PortRange> parse_reserved_ports(std::string_view text) {
    std::vector<PortRange> ranges;
    for (const auto& part : split(trim(text), ',')) {
        if (trim(part).empty()) {
            continue;
        }
        const auto dash = part.find('-');
        const auto first = parse_port(std::string_view(part).substr(0, dash));
        const auto last =
            dash == std::string::npos ? first : parse_port(std::string_view(part).substr(dash + 1));
        if (first && last && *first <= *last) {
            ranges.push_back({*first, *last});
        }
    }
    return ranges;
}

bool NetConfig::is_local_address(const std::string& address) const {
    const std::string wanted = canonical_ip(address);
    if (wanted.empty()) {
        return false;
    }
    if (is_wildcard_address(wanted)) {
        return true;
    }
    for (const auto& local : addresses) {
        if (local.address == wanted) {
            return true;
        }
    }
    // The whole of 127.0.0.0/8 is bindable once lo has 127.0.0.1/8 (the route is local).
    return wanted.rfind("127.", 0) == 0 && has_address(loopback_interface, "127.0.0.1");
}

bool NetConfig::has_address(const std::string& name, const std::string& address) const {
    const std::string wanted = canonical_ip(address);
    for (const auto& local : addresses) {
        if (local.interface == name && local.address == wanted) {
            return true;
        }
    }
    return false;
}

} // namespace golaunch
