#include "preflight/localhost_check.hpp"

#include "platform/admin_commands.hpp"
#include "preflight/endpoints.hpp"
#include "util/strings.hpp"

namespace golaunch {

namespace {

enum class Family { none, v4, v6 };

// The family a service is limited to when it binds `address`: wildcards, names and unknown
// addresses are not limited (Go's "0.0.0.0" listener is dual-stack).
Family bound_family(const std::string& address) {
    const auto normalized = normalized_address(address);
    if (normalized.empty() || normalized == "0.0.0.0" || normalized == "::") {
        return Family::none;
    }
    return normalized.find(':') == std::string::npos ? Family::v4 : Family::v6;
}

Family family_of(const std::string& address) {
    return normalized_address(address).find(':') == std::string::npos ? Family::v4 : Family::v6;
}

std::string endpoint_text(const DeclaredEndpoint& endpoint) {
    return endpoint.service + "." + endpoint.port_name + " (" +
           (endpoint.address.find(':') != std::string::npos ? "[" + endpoint.address + "]"
                                                            : endpoint.address) +
           ":" + std::to_string(endpoint.port) + ")";
}

Finding mismatch(const std::vector<HostsAddress>& addresses, const std::string& hosts_label,
                 const std::vector<const DeclaredEndpoint*>& affected, Family bound) {
    const auto& first = addresses.front();
    std::vector<std::string> services;
    for (const auto* endpoint : affected) {
        services.push_back(endpoint_text(*endpoint));
    }
    const bool other_family_present = [&] {
        for (const auto& address : addresses) {
            if (family_of(address.address) == bound) {
                return true;
            }
        }
        return false;
    }();
    const std::string bound_text = bound == Family::v4 ? "IPv4 (127.0.0.1)" : "IPv6 (::1)";
    Finding finding;
    finding.id = "localhost-family-mismatch";
    finding.severity = Severity::warning;
    finding.subject = "localhost";
    if (affected.size() == 1) {
        finding.fields = endpoint_fields(*affected.front());
    }
    finding.fields.host = "localhost";
    finding.fields.file = hosts_label;
    finding.fields.line = first.line;
    finding.message =
        "localhost resolves to " + first.address + " first, but " + join(services, ", ") +
        (affected.size() == 1 ? " listens" : " listen") + " on " + bound_text + " only: " +
        (other_family_present
             ? "clients that use only the first address (Node 17+, some HTTP tools) get "
               "\"connection refused\"; others pay a failed attempt before the fallback"
             : "http://localhost:PORT gets \"connection refused\"");
    for (const auto& address : addresses) {
        finding.evidence.push_back(hosts_label + ":" + std::to_string(address.line) + ": " +
                                   address.address + " localhost");
    }
    finding.remedy = std::string("use ") + (bound == Family::v4 ? "127.0.0.1" : "[::1]") +
                     " instead of localhost in URLs, bind the service to both families, or "
                     "put the " +
                     (bound == Family::v4 ? "127.0.0.1" : "::1") + " localhost line first in " +
                     hosts_label;
    return finding;
}

} // namespace

std::vector<Finding> check_localhost(const HostsFile& hosts, const std::string& hosts_label,
                                     const std::vector<DeclaredEndpoint>& endpoints) {
    const auto addresses = hosts.lookup("localhost");
    if (addresses.empty()) {
        Finding finding;
        finding.id = "localhost-missing";
        finding.severity = Severity::warning;
        finding.subject = "localhost";
        finding.fields.host = "localhost";
        finding.fields.file = hosts_label;
        finding.message = hosts_label + " has no localhost line: lookups of localhost go to the "
                                        "DNS servers, and may be slow or answer wrongly";
        finding.remedy = "add the lines '127.0.0.1 localhost' and '::1 localhost' to " +
                         hosts_label + " (as " + admin_account() + ")";
        return {finding};
    }
    const Family first = family_of(addresses.front().address);
    std::vector<const DeclaredEndpoint*> affected;
    Family bound = Family::none;
    for (const auto& endpoint : endpoints) {
        const Family family = bound_family(endpoint.address);
        if (family != Family::none && family != first) {
            affected.push_back(&endpoint);
            bound = family;
        }
    }
    if (affected.empty()) {
        return {};
    }
    return {mismatch(addresses, hosts_label, affected, bound)};
}

} // namespace golaunch
