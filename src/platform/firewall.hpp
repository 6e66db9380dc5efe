// Read-only view of the packet filter: the rules that drop or reject TCP by destination port
// (Linux: `nft -j list ruleset`, `iptables-save`, `ip6tables-save`).
#pragma once

#include "platform/net_config.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

struct FirewallRule {
    std::string source;           // "nftables", "iptables", "ip6tables"
    std::string family;           // nft family ("inet", "ip", "ip6"); "ip"/"ip6" for iptables
    std::string table;            // "filter"
    std::string chain;            // "input", "INPUT"
    std::string hook;             // "input", "output", "forward", "" (a chain without a hook)
    std::string verdict;          // "drop" or "reject"
    std::vector<PortRange> ports; // destination ports it matches
    std::string in_interface;     // "lo", or "" for any
    std::string out_interface;    // "lo", or "" for any
    std::string address;          // destination address/prefix ("127.0.0.1", "10.0.0.0/8"), "" any
    std::string text;             // the rule as the tool shows it
    std::string remove_command;   // the command that deletes it
};

struct FirewallInspection {
    std::vector<FirewallRule> rules;    // every drop/reject rule with a TCP destination port match
    std::vector<std::string> skipped;   // one line per tool not inspected, with the reason
    std::vector<std::string> inspected; // "nftables", "iptables", ...
};

// Runs the tools (each with `timeout`) in this process's network namespace. On Windows, whose
// firewall does not filter loopback traffic, nothing is run: `skipped` says why.
FirewallInspection inspect_firewall(std::chrono::milliseconds timeout);

// Parsers for the tools' output (exposed for tests; Linux only, the tools exist nowhere else).
// Rules with negations ("!=", "!") or matches they do not understand on the port/interface/address
// are left out.
std::vector<FirewallRule> parse_nft_ruleset(const std::string& json);
std::vector<FirewallRule> parse_iptables_save(const std::string& text, const std::string& source);

// True when a packet to `address`:`port` over loopback (or to that local address) would hit
// `rule`. `address` "" or a wildcard means "any local address, loopback included".
bool rule_blocks(const FirewallRule& rule, const std::string& address, std::uint16_t port);

} // namespace golaunch
