// Runs nft / iptables-save / ip6tables-save (read-only) and collects their drop/reject rules.
#include "platform/firewall.hpp"

#include "platform/command_output.hpp"
#include "util/strings.hpp"

#include <algorithm>

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

} // namespace

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
