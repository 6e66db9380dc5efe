// Reads nftables in this process (libnftables) and runs iptables-save / ip6tables-save
// (read-only) where they can show more; collects the drop/reject rules.
#include "platform/firewall.hpp"

#include "platform/command_output.hpp"
#include "platform/nftables-linux.hpp"
#include "platform/proc_fs-linux.hpp"
#include "util/strings.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <set>

namespace golaunch {

namespace {

const std::vector<std::string> k_iptables_tables = {"filter", "raw", "mangle", "security", "nat"};

struct IptablesFamily {
    const char* tool;       // "iptables"
    const char* family;     // nft family of its tables: "ip"
    const char* names_file; // the legacy tables loaded in this namespace, one per line
};

const IptablesFamily k_iptables_families[] = {
    {"iptables", "ip", "/proc/net/ip_tables_names"},
    {"ip6tables", "ip6", "/proc/net/ip6_tables_names"},
};

std::string failure(const CommandOutput& output) {
    if (!output.started) {
        return output.error;
    }
    if (output.timed_out) {
        return "did not finish in time";
    }
    const auto line = first_line(output.err);
    return "exit " + std::to_string(output.exit_code) + ": " + (line.empty() ? "no output" : line);
}

// The whole of a small /proc file; "" when it cannot be read.
std::string read_small_file(const char* path) {
    std::string text;
    return procfs::read_file_at(AT_FDCWD, path, text, 4096) ? text : std::string();
}

bool legacy_tables_loaded(const IptablesFamily& family) {
    return !trim(read_small_file(family.names_file)).empty();
}

bool has_iptables_table(const NftRuleset& ruleset, const std::string& family) {
    return std::any_of(ruleset.tables.begin(), ruleset.tables.end(), [&](const std::string& t) {
        return std::any_of(k_iptables_tables.begin(), k_iptables_tables.end(),
                           [&](const std::string& name) { return t == family + " " + name; });
    });
}

} // namespace

FirewallInspection inspect_firewall(std::chrono::milliseconds timeout) {
    FirewallInspection inspection;
    const auto nft = list_nft_ruleset();
    NftRuleset ruleset;
    if (nft.listed) {
        inspection.inspected.push_back("nftables");
        ruleset = read_nft_ruleset(nft.json);
    } else {
        inspection.skipped.push_back("nftables: " + nft.error);
    }
    std::set<std::string> shown_by_iptables; // nft families whose iptables-nft rules it listed
    for (const auto& family : k_iptables_families) {
        const bool legacy = legacy_tables_loaded(family);
        const std::string save = std::string(family.tool) + "-save";
        if (!legacy && nft.listed && !has_iptables_table(ruleset, family.family)) {
            continue; // nothing of iptables' in this namespace: nft's listing is all there is
        }
        if (!legacy && nft.permission_denied) {
            inspection.skipped.push_back(save + ": not run: it needs the same permission");
            continue;
        }
        const auto output = run_command({save}, timeout);
        if (!output.started || output.timed_out || output.exit_code != 0) {
            inspection.skipped.push_back(save + ": " + failure(output));
            continue;
        }
        inspection.inspected.push_back(family.tool);
        if (output.out.find("(nf_tables)") != std::string::npos) {
            shown_by_iptables.insert(family.family);
        }
        auto rules = parse_iptables_save(output.out, family.tool);
        inspection.rules.insert(inspection.rules.end(), rules.begin(), rules.end());
    }
    for (auto& rule : ruleset.rules) {
        const bool iptables_table = std::find(k_iptables_tables.begin(), k_iptables_tables.end(),
                                              rule.table) != k_iptables_tables.end();
        if (iptables_table && shown_by_iptables.count(rule.family) != 0) {
            continue; // the same rule, already listed in iptables-save's words
        }
        inspection.rules.push_back(std::move(rule));
    }
    return inspection;
}

std::optional<std::string> firewall_state_key() {
    for (const auto& family : k_iptables_families) {
        if (legacy_tables_loaded(family)) {
            return std::nullopt;
        }
    }
    const auto generation = nft_ruleset_generation();
    if (!generation) {
        return std::nullopt;
    }
    struct stat netns {};
    if (::stat("/proc/self/ns/net", &netns) != 0) {
        return std::nullopt;
    }
    const std::string boot(trim(read_small_file("/proc/sys/kernel/random/boot_id")));
    return "boot " + boot + " netns " + std::to_string(netns.st_dev) + ":" +
           std::to_string(netns.st_ino) + " nft-generation " + std::to_string(*generation);
}

} // namespace golaunch
