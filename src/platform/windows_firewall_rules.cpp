#include "platform/windows_firewall_rules.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace golaunch {

namespace {

std::optional<std::uint16_t> port_number(std::string_view text) {
    unsigned value = 0;
    const auto* end = text.data() + text.size();
    const auto [next, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || next != end || value == 0 || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

// "8080" or "8000-8100"; nullopt for keywords (RPC, IPHTTPSIn, Ply2Disc, mDNS...).
std::optional<PortRange> port_range(std::string_view text) {
    const auto dash = text.find('-');
    const auto first = port_number(text.substr(0, dash));
    if (!first) {
        return std::nullopt;
    }
    if (dash == std::string_view::npos) {
        return PortRange{*first, *first};
    }
    const auto last = port_number(text.substr(dash + 1));
    if (!last || *last < *first) {
        return std::nullopt;
    }
    return PortRange{*first, *last};
}

std::string path_key(std::string_view path) {
    std::string key(path);
    for (char& c : key) {
        c = c == '/' ? '\\' : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return key;
}

} // namespace

std::optional<WindowsFirewallRule> parse_windows_firewall_rule(std::string_view id,
                                                               std::string_view text) {
    const auto fields = split(text, '|');
    if (fields.empty() || !starts_with(fields.front(), "v2.")) {
        return std::nullopt;
    }
    WindowsFirewallRule rule;
    rule.id = std::string(id);
    rule.text = std::string(text);
    for (std::size_t i = 1; i < fields.size(); ++i) {
        const auto& field = fields[i];
        const auto equals = field.find('=');
        if (equals == std::string::npos) {
            continue; // the empty field after the final '|'
        }
        const std::string key = field.substr(0, equals);
        const std::string value = field.substr(equals + 1);
        if (key == "Action") {
            rule.action = value;
        } else if (key == "Active") {
            rule.active = value == "TRUE";
        } else if (key == "Dir") {
            rule.inbound = value == "In";
        } else if (key == "Protocol") {
            int protocol = 0;
            const auto [next, error] =
                std::from_chars(value.data(), value.data() + value.size(), protocol);
            if (error == std::errc() && next == value.data() + value.size()) {
                rule.protocol = protocol;
            }
        } else if (key == "LPort" || key == "LPort2_10" || key == "LPort2_20") {
            rule.any_local_port = false;
            if (const auto range = port_range(value)) {
                rule.local_ports.push_back(*range);
            }
        } else if (key == "App") {
            rule.program = value;
        } else if (key == "Name") {
            rule.name = value;
        } else if (key == "Profile") {
            rule.profiles.push_back(value);
        }
    }
    if (rule.name.empty()) {
        rule.name = rule.id;
    }
    return rule;
}

bool names_program(const WindowsFirewallRule& rule, const std::string& program) {
    return !rule.program.empty() && !program.empty() && path_key(rule.program) == path_key(program);
}

bool covers_tcp_port(const WindowsFirewallRule& rule, std::uint16_t port) {
    if (rule.protocol && *rule.protocol != 6) {
        return false;
    }
    return rule.any_local_port ||
           std::any_of(rule.local_ports.begin(), rule.local_ports.end(),
                       [&](const PortRange& range) { return range.contains(port); });
}

} // namespace golaunch
