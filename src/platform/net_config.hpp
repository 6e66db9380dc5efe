// Network facts of this machine that decide whether a bind can work: privileged port limit,
// ephemeral and reserved ranges, IPv6 state, local addresses, CAP_NET_BIND_SERVICE.
// Linux: read from /proc/sys and getifaddrs, cheap, no subprocesses.
// Windows: GetAdaptersAddresses, netsh (dynamic port range, excluded port ranges) and the
// portproxy registry key; no privileged ports.
#pragma once

#include "platform/excluded_ports.hpp"
#include "platform/port_range.hpp"
#include "platform/portproxy.hpp"
#include "platform/socket_table.hpp"
#include "platform/windows_firewall_rules.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct InterfaceAddress {
    std::string interface; // "lo", "eth0"
    AddressFamily family = AddressFamily::ipv4;
    std::string address; // "127.0.0.1", "::1", "fe80::1" (no scope suffix)
};

struct NetConfig {
    std::optional<int> unprivileged_port_start; // net.ipv4.ip_unprivileged_port_start
    // net.ipv4.ip_local_port_range; Windows: `netsh int ipv4 show dynamicport tcp`
    std::optional<PortRange> local_port_range;
    std::vector<PortRange> reserved_ports;   // net.ipv4.ip_local_reserved_ports
    std::optional<bool> ipv6_disabled_all;   // net.ipv6.conf.all.disable_ipv6
    std::optional<bool> ipv6_disabled_lo;    // net.ipv6.conf.lo.disable_ipv6
    bool ipv6_supported = false;             // /proc/net/if_inet6 exists (kernel has IPv6)
    std::vector<InterfaceAddress> addresses; // every address on every interface
    bool can_bind_privileged = false;        // CAP_NET_BIND_SERVICE in the effective set
    bool root = false; // Linux: euid 0 (commands for the admin need no sudo); Windows: false
    std::string loopback_interface = "lo"; // Windows: "Loopback Pseudo-Interface 1"
    // Windows only (empty on Linux): `netsh interface ipv4|ipv6 show excludedportrange
    // protocol=tcp` (a bind there fails with WSAEACCES 10013 and no owner in the table) and
    // the portproxy rules (the IP Helper service listens on their ports).
    std::vector<ExcludedPortRange> excluded_ranges;
    std::vector<PortProxyRule> port_proxies;
    // Windows Defender Firewall's rules from the registry; nullopt when not read (Linux, or the
    // keys could not be opened: the reason is in `unread`).
    std::optional<std::vector<WindowsFirewallRule>> windows_firewall_rules;
    std::vector<std::string> unread; // facts that could not be read, and why
    bool windows_rules = false;      // read on Windows: netsh wording, no sysctl

    // True when `address` (a literal IP; wildcards count) is on some interface.
    bool is_local_address(const std::string& address) const;
    // True when an address of `family` is on interface `name`.
    bool has_address(const std::string& name, const std::string& address) const;
};

// Reads everything above for this process (its network namespace, its capabilities).
NetConfig read_net_config();

// "32768\t60999\n" -> {32768, 60999}; nullopt when malformed.
std::optional<PortRange> parse_port_range(std::string_view text);

// "8080,9000-9010\n" -> {{8080,8080},{9000,9010}}; "" or "\n" -> {}; malformed parts skipped.
std::vector<PortRange> parse_reserved_ports(std::string_view text);

// The canonical text of an IP literal ("::0001" -> "::1"), or "" when it is not one.
std::string canonical_ip(const std::string& address);

} // namespace golaunch
