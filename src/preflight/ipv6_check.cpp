#include "preflight/ipv6_check.hpp"

#include "platform/admin_commands.hpp"
#include "platform/port_owners.hpp"
#include "preflight/endpoints.hpp"
#include "preflight/port_rules_check.hpp"

namespace golaunch {

namespace {

bool is_ipv6_literal(const std::string& canonical) {
    return canonical.find(':') != std::string::npos;
}

bool ipv6_off(const NetConfig& config) {
    return !config.ipv6_supported || config.ipv6_disabled_all.value_or(false);
}

std::vector<std::string> sysctl_evidence(const NetConfig& config) {
    const auto flag = [](const std::optional<bool>& value) {
        return value ? (*value ? std::string("1") : std::string("0")) : std::string("unreadable");
    };
    std::vector<std::string> lines = {
        "net.ipv6.conf.all.disable_ipv6 = " + flag(config.ipv6_disabled_all),
        "net.ipv6.conf.lo.disable_ipv6 = " + flag(config.ipv6_disabled_lo),
    };
    lines.push_back(config.ipv6_supported ? "/proc/net/if_inet6 present"
                                          : "/proc/net/if_inet6 missing (no IPv6 in the kernel, "
                                            "or ipv6.disable=1 on the kernel command line)");
    return lines;
}

std::string enable_remedy() {
    return "enable it: " + enable_ipv6_instruction();
}

bool lo_disabled(const NetConfig& config) {
    return config.ipv6_disabled_all.value_or(false) || config.ipv6_disabled_lo.value_or(false);
}

} // namespace

bool ipv6_unavailable_for(const NetConfig& config, const std::string& address) {
    const std::string canonical = canonical_ip(address);
    if (canonical.empty() || !is_ipv6_literal(canonical) || canonical == "::") {
        return false;
    }
    if (ipv6_off(config)) {
        return true;
    }
    return canonical == "::1" && !config.has_address(config.loopback_interface, "::1");
}

std::vector<Finding> check_ipv6(const CheckContext& context) {
    return check_ipv6(context, read_net_config());
}

std::vector<Finding> check_ipv6(const CheckContext& context, const NetConfig& config) {
    std::vector<Finding> findings;
    std::vector<const DeclaredEndpoint*> unavailable;
    for (const auto& endpoint : context.endpoints) {
        if (ipv6_unavailable_for(config, endpoint.address)) {
            unavailable.push_back(&endpoint);
        }
    }
    if (ipv6_off(config) || lo_disabled(config)) {
        Finding finding;
        finding.id = "ipv6-disabled";
        finding.severity = unavailable.empty() ? Severity::info : Severity::warning;
        finding.subject = "ipv6";
        finding.message = config.ipv6_supported
                              ? "IPv6 is disabled by sysctl: nothing can listen on ::1, and "
                                "clients that resolve localhost to ::1 first fall back to "
                                "127.0.0.1 (or fail)"
                              : "this kernel has no IPv6: nothing can listen on an IPv6 address";
        finding.evidence = sysctl_evidence(config);
        finding.remedy =
            config.ipv6_supported ? enable_remedy() : "bind IPv4 addresses (127.0.0.1) only";
        findings.push_back(std::move(finding));
    }
    const bool lo_has_v4 = config.has_address(config.loopback_interface, "127.0.0.1");
    if (config.ipv6_supported && lo_has_v4 &&
        !config.has_address(config.loopback_interface, "::1")) {
        Finding finding;
        finding.id = "ipv6-loopback-missing";
        finding.severity = Severity::warning;
        finding.subject = "lo ::1";
        finding.fields.address = "::1";
        finding.message = "::1 is not on the loopback interface: clients that try localhost as "
                          "::1 first (curl, browsers, Go's net.Dial) get \"connection refused\" "
                          "or a delay before falling back to 127.0.0.1";
        finding.evidence = sysctl_evidence(config);
        finding.evidence.push_back("lo addresses:");
        for (const auto& local : config.addresses) {
            if (local.interface == config.loopback_interface) {
                finding.evidence.back() += " " + local.address;
            }
        }
        finding.remedy = lo_disabled(config)
                             ? enable_remedy()
                             : "add it back: " + restore_ipv6_loopback_instruction();
        findings.push_back(std::move(finding));
    }
    for (const auto* endpoint : unavailable) {
        Finding finding;
        finding.id = "ipv6-address-unavailable";
        finding.severity = Severity::error;
        finding.subject = endpoint_subject(*endpoint);
        finding.fields = endpoint_fields(*endpoint);
        finding.message = endpoint->service + "." + endpoint->port_name + " binds " +
                          format_endpoint(endpoint->address, endpoint->port) +
                          ", an IPv6 address this machine does not have now (IPv6 is " +
                          (ipv6_off(config) || lo_disabled(config) ? "disabled" : "not on lo") +
                          "): the bind will fail with EADDRNOTAVAIL";
        finding.evidence = sysctl_evidence(config);
        finding.remedy = (ipv6_off(config) || lo_disabled(config)
                              ? enable_remedy()
                              : "add it back: " + restore_ipv6_loopback_instruction()) +
                         "; or bind 127.0.0.1 instead";
        findings.push_back(std::move(finding));
    }
    return findings;
}

} // namespace golaunch
