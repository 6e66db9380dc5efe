#include "preflight/port_exclusion_check.hpp"

#include "preflight/endpoints.hpp"
#include "preflight/port_rules_check.hpp"
#include "util/strings.hpp"

namespace golaunch {

namespace {

// Which families a bind on `address` uses: "" and "::" (Go's ":8080" is dual-stack) use both.
bool uses_family(const std::string& address, AddressFamily family) {
    const std::string canonical = canonical_ip(address);
    if (canonical.empty() || canonical == "::") {
        return true;
    }
    const bool ipv6 = canonical.find(':') != std::string::npos;
    return ipv6 == (family == AddressFamily::ipv6);
}

std::string listen_address(const PortProxyRule& rule) {
    return rule.listen_address == "*" ? "0.0.0.0" : rule.listen_address;
}

bool same_listen_address(const PortProxyRule& rule, const std::string& address) {
    const std::string wanted = canonical_ip(address);
    const std::string proxy = canonical_ip(listen_address(rule));
    return !wanted.empty() && wanted == proxy;
}

void check_excluded(const DeclaredEndpoint& endpoint, const NetConfig& config,
                    std::vector<Finding>& findings) {
    std::vector<std::string> evidence;
    for (const auto& excluded : config.excluded_ranges) {
        if (excluded.range.contains(endpoint.port) &&
            uses_family(endpoint.address, excluded.family)) {
            evidence.push_back(excluded_range_evidence(excluded));
        }
    }
    if (evidence.empty()) {
        return;
    }
    auto finding = endpoint_finding("port-excluded-range", Severity::error, endpoint);
    finding.message = endpoint.service + "." + endpoint.port_name + " wants port " +
                      std::to_string(endpoint.port) +
                      ", which Windows has excluded (reserved by winnat/Hyper-V or an "
                      "administrator): the bind will fail with WSAEACCES 10013 \"access "
                      "forbidden\" although no process holds the port";
    finding.evidence = std::move(evidence);
    finding.remedy = excluded_range_remedy(endpoint.port);
    findings.push_back(std::move(finding));
}

void check_portproxy(const DeclaredEndpoint& endpoint, const NetConfig& config,
                     std::vector<Finding>& findings) {
    for (const auto& rule : config.port_proxies) {
        if (rule.listen_port != endpoint.port) {
            continue;
        }
        const bool clash = endpoint.address.empty() || same_listen_address(rule, endpoint.address);
        auto finding = endpoint_finding("port-portproxy",
                                        clash ? Severity::error : Severity::warning, endpoint);
        finding.message =
            "a portproxy rule listens on port " + std::to_string(endpoint.port) + " (" +
            listen_address(rule) + ", forwarding to " +
            format_endpoint(rule.connect_address, rule.connect_port) + "): " +
            (clash ? "the IP Helper service holds it, so the bind of " + endpoint.service + "." +
                         endpoint.port_name + " fails with WSAEADDRINUSE 10048"
                   : "the bind succeeds, but clients that connect to " + listen_address(rule) +
                         " reach the proxy, not " + endpoint.service);
        finding.evidence = {"portproxy " + describe(rule) + " (HKLM\\" + k_portproxy_key + "\\" +
                            rule.kind + "\\tcp)"};
        finding.remedy =
            "remove the rule as Administrator (golaunch never changes it): `netsh interface "
            "portproxy delete " +
            rule.kind + " listenport=" + std::to_string(rule.listen_port) +
            " listenaddress=" + listen_address(rule) + "`; or pick another port";
        findings.push_back(std::move(finding));
    }
}

} // namespace

std::string excluded_range_evidence(const ExcludedPortRange& excluded) {
    const bool ipv6 = excluded.family == AddressFamily::ipv6;
    return range_text(excluded.range) + " is an " + (ipv6 ? "IPv6" : "IPv4") +
           " excluded port range (`netsh interface " + (ipv6 ? "ipv6" : "ipv4") +
           " show excludedportrange protocol=tcp`), " +
           (excluded.administered
                ? "administered: added by an administrator (marked *)"
                : "not administered: reserved at run time by winnat, Hyper-V, WSL or Docker "
                  "(the ranges can change at each reboot)");
}

std::string excluded_range_remedy(std::uint16_t port) {
    const auto commands = excluded_range_admin_commands(port);
    std::string text = "pick a port outside every excluded range; or free it, in an "
                       "Administrator prompt (golaunch never runs these): ";
    for (std::size_t i = 0; i + 1 < commands.size(); ++i) {
        text += (i == 0 ? "`" : ", `") + commands[i] + "`";
    }
    text += " (reserves the port for you before winnat takes its ranges again); to keep "
            "winnat/Hyper-V ranges away from the usual development ports: `" +
            commands.back() + "` (then reboot)";
    return text;
}

void check_port_exclusions(const DeclaredEndpoint& endpoint, const NetConfig& config,
                           std::vector<Finding>& findings) {
    check_excluded(endpoint, config, findings);
    check_portproxy(endpoint, config, findings);
}

} // namespace golaunch
