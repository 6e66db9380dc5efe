// Read-only view of the packet filter: the rules that drop or reject TCP by destination port
// (Linux: `nft -j list ruleset`, `iptables-save`, `ip6tables-save`).
#pragma once

#include "platform/net_config.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
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

// Reads the rules in this process's network namespace. Linux: nftables through libnftables in
// this process; `iptables-save`/`ip6tables-save` (each with `timeout`) only for a family that
// has legacy x_tables loaded or iptables-nft's tables in nftables (whose compat matches only
// iptables-save can show). On Windows, whose firewall does not filter loopback traffic, the
// registry's rules are only counted: `inspected` says so.
FirewallInspection inspect_firewall(std::chrono::milliseconds timeout);

// What the packet filter's rules are now, as a key for a cache of inspect_firewall's answer:
// the boot, the network namespace and nftables' ruleset generation. nullopt when there is no
// such key: nftables' generation unreadable (no permission), legacy x_tables loaded (they
// have no generation), or Windows.
std::optional<std::string> firewall_state_key();

// Parsers for the tools' output (exposed for tests; Linux only, the tools exist nowhere else).
// Rules with negations ("!=", "!") or matches they do not understand on the port/interface/address
// are left out.
std::vector<FirewallRule> parse_nft_ruleset(const std::string& json);
struct NftRuleset {
    std::vector<FirewallRule> rules; // as parse_nft_ruleset
    std::vector<std::string> tables; // every table, "family name" ("ip filter", "inet fw")
};
NftRuleset read_nft_ruleset(const std::string& json);
std::vector<FirewallRule> parse_iptables_save(const std::string& text, const std::string& source);

// True when a packet to `address`:`port` over loopback (or to that local address) would hit
// `rule`. `address` "" or a wildcard means "any local address, loopback included".
bool rule_blocks(const FirewallRule& rule, const std::string& address, std::uint16_t port);

} // namespace golaunch
