#include "preflight/finding.hpp"

#include <algorithm>

namespace golaunch {

const char* to_string(Severity severity) {
    switch (severity) {
    case Severity::info:
        return "info";
    case Severity::warning:
        return "warning";
    case Severity::error:
        return "error";
    }
    return "?";
}

std::string finding_area(const std::string& id) {
    const auto starts = [&](const char* prefix) {
        return id.rfind(prefix, 0) == 0;
    };
    if (starts("port-") || id == "privileged-port" || id == "ephemeral-range" ||
        id == "reserved-port" || id == "address-not-local" || id == "stale-instance" ||
        id == "stale-stopped" || id == "stale-will-stop" || id == "project-running") {
        return "ports";
    }
    if (starts("host") || starts("localhost-") || id == "hsts-tld" || id == "mdns-local" ||
        id == "nameserver-unreachable") {
        return "hosts";
    }
    if (starts("ipv6-")) {
        return "ipv6";
    }
    if (starts("firewall-")) {
        return "firewall";
    }
    if (starts("go-") || starts("godebug-")) {
        return "go";
    }
    if (starts("service-dir-") || starts("project-")) {
        return "project";
    }
    return "other";
}

bool fixable_automatically(const Finding& finding) {
    return !finding.fix.empty() && finding.fix != "stop-process";
}

bool has_errors(const std::vector<Finding>& findings) {
    return std::any_of(findings.begin(), findings.end(),
                       [](const Finding& f) { return f.severity == Severity::error; });
}

} // namespace golaunch
