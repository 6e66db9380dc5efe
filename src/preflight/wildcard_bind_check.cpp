#include "preflight/wildcard_bind_check.hpp"

#include "platform/socket_table.hpp"
#include "preflight/endpoints.hpp"
#include "preflight/port_rules_check.hpp"

#include <string>

namespace golaunch {

void check_wildcard_bind(const DeclaredEndpoint& endpoint, const NetConfig& config,
                         std::vector<Finding>& findings) {
    if (!config.windows_rules || endpoint.address.empty() ||
        !is_wildcard_address(endpoint.address)) {
        return;
    }
    const std::string port = std::to_string(endpoint.port);
    auto finding = endpoint_finding("firewall-wildcard-bind", Severity::warning, endpoint);
    finding.message = endpoint.service + " listens on " +
                      format_endpoint(endpoint.address, endpoint.port) +
                      ", every network interface: Windows Defender Firewall asks to allow it "
                      "(once per program path) and other machines can reach it";
    finding.evidence = {"bind address " + endpoint.address + " (" + endpoint.service + "." +
                            endpoint.port_name + ")",
                        "golaunch builds to a stable path, so the prompt comes once, not at "
                        "every run as with `go run`"};
    finding.remedy = "bind the loopback address instead, e.g. `-addr 127.0.0.1:" + port +
                     "` (loopback needs no firewall rule and stays local)";
    findings.push_back(std::move(finding));
}

} // namespace golaunch
