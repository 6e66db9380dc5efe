#include "preflight/firewall_check.hpp"

#include "instance/firewall_cache.hpp"
#include "platform/admin_commands.hpp"
#include "platform/port_owners.hpp"
#include "preflight/endpoints.hpp"
#include "preflight/port_rules_check.hpp"
#include "preflight/project_command.hpp"
#include "util/strings.hpp"

namespace golaunch {

namespace {

bool hits_loopback(const FirewallRule& rule, const DeclaredEndpoint& endpoint) {
    const std::string& interface =
        rule.in_interface.empty() ? rule.out_interface : rule.in_interface;
    if (!interface.empty() && interface != "lo") {
        return false;
    }
    const std::string address = canonical_ip(endpoint.address);
    if (address.empty() || is_wildcard_address(address)) {
        return rule_blocks(rule, "127.0.0.1", endpoint.port) ||
               rule_blocks(rule, "::1", endpoint.port);
    }
    return true;
}

Finding blocked_finding(const DeclaredEndpoint& endpoint, const FirewallRule& rule) {
    const bool loopback = hits_loopback(rule, endpoint);
    Finding finding;
    finding.id = "firewall-blocks-port";
    finding.severity = loopback ? Severity::error : Severity::warning;
    finding.subject = endpoint_subject(endpoint);
    finding.fields = endpoint_fields(endpoint);
    const std::string where = endpoint.address.empty()
                                  ? ":" + std::to_string(endpoint.port)
                                  : format_endpoint(endpoint.address, endpoint.port);
    finding.message =
        "a " + rule.source + " rule " + (rule.verdict == "drop" ? "drops" : "rejects") +
        " TCP to port " + std::to_string(endpoint.port) + " (" + endpoint.service + "." +
        endpoint.port_name + ", " + where + ")" +
        (loopback ? ": local clients and the readiness check cannot connect"
                  : " from other machines on " +
                        (rule.in_interface.empty() ? rule.out_interface : rule.in_interface));
    finding.evidence = {rule.source + ": " + rule.text};
    if (!rule.hook.empty()) {
        finding.evidence.push_back("chain " + rule.chain + " hooks " + rule.hook);
    }
    const std::string port = std::to_string(endpoint.port);
    const std::string allow = rule.source == "nftables"
                                  ? "sudo nft insert rule " + rule.family + " " + rule.table + " " +
                                        rule.chain + " iifname lo tcp dport " + port + " accept"
                                  : "sudo " + rule.source + " -t " + rule.table + " -I " +
                                        rule.chain + " -i lo -p tcp --dport " + port + " -j ACCEPT";
    finding.remedy = "remove the rule: `" + rule.remove_command +
                     "`; or accept the port before it: `" + allow + "`";
    return finding;
}

} // namespace

std::vector<Finding> check_firewall(const CheckContext& context) {
    if (context.endpoints.empty()) {
        return {};
    }
    return check_firewall(context, current_firewall(context.manifest.root_dir));
}

FirewallInspection current_firewall(const std::filesystem::path& root_dir) {
    // The key is read before the rules: a change made while they are read gets a new key, so
    // the next run reads again rather than trusting what this one may have half seen.
    const auto key = firewall_state_key();
    if (key && !root_dir.empty()) {
        if (auto cached = read_firewall_cache(root_dir, *key)) {
            return std::move(*cached);
        }
    }
    auto inspection = inspect_firewall(k_firewall_timeout);
    if (key && !root_dir.empty() && inspection.skipped.empty()) {
        write_firewall_cache(root_dir, *key, inspection);
    }
    return inspection;
}

std::vector<Finding> check_firewall(const CheckContext& context,
                                    const FirewallInspection& inspection) {
    std::vector<Finding> findings;
    if (inspection.inspected.empty()) {
        Finding finding;
        finding.id = "firewall-not-inspected";
        finding.severity = Severity::info;
        finding.subject = "firewall";
        finding.message = "the packet filter was not inspected: no rule that blocks a port "
                          "could be looked for";
        finding.evidence = inspection.skipped;
        finding.remedy = inspect_firewall_instruction(
            project_command("check", context.manifest, context.hosts_file));
        findings.push_back(std::move(finding));
        return findings;
    }
    for (const auto& endpoint : context.endpoints) {
        if (endpoint.port == 0) {
            continue;
        }
        for (const auto& rule : inspection.rules) {
            if (rule_blocks(rule, endpoint.address, endpoint.port)) {
                findings.push_back(blocked_finding(endpoint, rule));
            }
        }
    }
    return findings;
}

} // namespace golaunch
