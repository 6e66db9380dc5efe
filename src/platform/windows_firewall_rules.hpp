// Windows Defender Firewall's rules, read-only, as the registry keeps them: one REG_SZ value per
// rule under HKLM's SYSTEM/CurrentControlSet/Services/SharedAccess/Parameters/FirewallPolicy/
// FirewallRules (and the Group Policy copy under SOFTWARE/Policies/Microsoft/WindowsFirewall/
// FirewallRules; backslashes in the real paths), in the grammar of [MS-GPFAS] 2.2.2.10:
// "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8080|App=...|". The parser is
// portable (tested on Linux); the registry reader is windows_firewall_rules-win32.cpp. golaunch
// never changes a rule.
#pragma once

#include "platform/port_range.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct WindowsFirewallRule {
    std::string id;                     // the registry value's name ("{GUID}", "TCP-In-8080"...)
    std::string name;                   // Name=, or the id when the rule has none
    std::string action;                 // "Allow", "Block" (or "ByPass")
    bool active = false;                // Active=TRUE
    bool inbound = false;               // Dir=In
    std::optional<int> protocol;        // Protocol= (6 TCP, 17 UDP); none: any protocol
    std::vector<PortRange> local_ports; // LPort= (repeated); empty with any_local_port
    bool any_local_port = true;         // no LPort at all (a keyword such as RPC is not "any")
    std::string program;                // App=, environment variables expanded by the reader
    std::vector<std::string> profiles;  // Profile= (Domain, Private, Public); empty: all
    std::string text;                   // the value as stored
};

// One rule value; nullopt when it is not a rule this grammar describes (no "v2." version).
std::optional<WindowsFirewallRule> parse_windows_firewall_rule(std::string_view id,
                                                               std::string_view text);

// True when the rule's App= names `program` (case-insensitive, / and \ alike).
bool names_program(const WindowsFirewallRule& rule, const std::string& program);

// True when an active inbound TCP connection to local `port` is within the rule's match on
// protocol and port (the program is not considered).
bool covers_tcp_port(const WindowsFirewallRule& rule, std::uint16_t port);

struct WindowsFirewallRules {
    std::vector<WindowsFirewallRule> rules;
    std::vector<std::string> unread; // keys that could not be read, and why
};

// Windows only: every rule of both registry keys. A key that does not exist is not "unread".
WindowsFirewallRules read_windows_firewall_rules();

} // namespace golaunch
