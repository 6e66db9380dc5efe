// Runs nft / iptables-save / ip6tables-save (read-only) and collects their drop/reject rules.
#include "platform/firewall.hpp"

#include "platform/command_output.hpp"
#include "util/strings.hpp"

#include <arpa/inet.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

namespace golaunch {

namespace {

const std::vector<std::string> k_iptables_tables = {"filter", "raw", "mangle", "security", "nat"};

std::string first_line(const std::string& text) {
    const std::string line(trim(text.substr(0, text.find('\n'))));
    return line.empty() ? "no output" : line;
}

std::string failure(const CommandOutput& output) {
    if (!output.started) {
        return output.error;
    }
    if (output.timed_out) {
        return "did not finish in time";
    }
    return "exit " + std::to_string(output.exit_code) + ": " + first_line(output.err);
}

// True when `address` (canonical literal) lies in `network` ("10.0.0.0/8" or a literal).
bool address_in(const std::string& address, const std::string& network) {
    const auto slash = network.find('/');
    const std::string base = canonical_ip(network.substr(0, slash));
    if (slash == std::string::npos) {
        return base == address;
    }
    const int length = std::atoi(network.c_str() + slash + 1);
    unsigned char a[16] = {};
    unsigned char b[16] = {};
    const int family = address.find(':') == std::string::npos ? AF_INET : AF_INET6;
    if ((base.find(':') == std::string::npos) != (family == AF_INET) ||
        ::inet_pton(family, address.c_str(), a) != 1 || ::inet_pton(family, base.c_str(), b) != 1) {
        return false;
    }
    for (int bit = 0; bit < length && bit < (family == AF_INET ? 32 : 128); ++bit) {
        const int mask = 0x80 >> (bit % 8);
        if ((a[bit / 8] & mask) != (b[bit / 8] & mask)) {
            return false;
        }
    }
    return true;
}

bool loopback(const std::string& address) {
    return address.rfind("127.", 0) == 0 || address == "::1";
}

} // namespace

bool rule_blocks(const FirewallRule& rule, const std::string& address, std::uint16_t port) {
    if (std::none_of(rule.ports.begin(), rule.ports.end(),
                     [&](const PortRange& range) { return range.contains(port); })) {
        return false;
    }
    if (rule.hook == "forward") {
        return false; // local traffic never goes through forward
    }
    const std::string wanted = canonical_ip(address);
    const bool any = wanted.empty() || is_wildcard_address(wanted);
    if (!rule.address.empty() && !any && !address_in(wanted, rule.address)) {
        return false;
    }
    if (!rule.address.empty() && any && !address_in("127.0.0.1", rule.address) &&
        !address_in("::1", rule.address)) {
        return false; // a rule for some other address: loopback clients still get through
    }
    const std::string& interface =
        rule.in_interface.empty() ? rule.out_interface : rule.in_interface;
    if (!interface.empty() && interface != "lo" && (any || loopback(wanted))) {
        return false; // filters another interface; loopback clients are not affected
    }
    if ((rule.family == "ip" && wanted.find(':') != std::string::npos) ||
        (rule.family == "ip6" && !any && wanted.find(':') == std::string::npos)) {
        return false;
    }
    return true;
}

FirewallInspection inspect_firewall(std::chrono::milliseconds timeout) {
    FirewallInspection inspection;
    const auto nft = run_command({"nft", "-j", "list", "ruleset"}, timeout);
    bool nft_ok = false;
    if (nft.started && !nft.timed_out && nft.exit_code == 0) {
        nft_ok = true;
        inspection.inspected.push_back("nftables");
    } else {
        inspection.skipped.push_back("nft: " + failure(nft));
    }
    bool iptables_on_nft = false;
    for (const std::string tool : {"iptables", "ip6tables"}) {
        const auto output = run_command({tool + "-save"}, timeout);
        if (!output.started || output.timed_out || output.exit_code != 0) {
            inspection.skipped.push_back(tool + "-save: " + failure(output));
            continue;
        }
        inspection.inspected.push_back(tool);
        iptables_on_nft = iptables_on_nft || output.out.find("(nf_tables)") != std::string::npos;
        auto rules = parse_iptables_save(output.out, tool);
        inspection.rules.insert(inspection.rules.end(), rules.begin(), rules.end());
    }
    if (nft_ok) {
        for (auto& rule : parse_nft_ruleset(nft.out)) {
            const bool iptables_table =
                (rule.family == "ip" || rule.family == "ip6") &&
                std::find(k_iptables_tables.begin(), k_iptables_tables.end(), rule.table) !=
                    k_iptables_tables.end();
            if (iptables_on_nft && iptables_table) {
                continue; // the same rule, already listed in iptables-save's words
            }
            inspection.rules.push_back(std::move(rule));
        }
    }
    return inspection;
}

} // namespace golaunch
