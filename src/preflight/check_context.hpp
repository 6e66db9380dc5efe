// What every preflight check is given. Each check is a small unit:
//     std::vector<Finding> check_xxx(const CheckContext& context);
// reading only what it needs from here, never printing, never changing anything.
// The orchestrator (preflight/preflight.hpp) fills this in once and runs the checks.
#pragma once

#include "manifest/manifest.hpp"
#include "platform/socket_table.hpp"
#include "preflight/endpoint.hpp"
#include "preflight/finding.hpp"

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace golaunch {

struct CheckContext {
    const Manifest& manifest;
    std::vector<std::string> services; // the selected services, dependency order
    PortAssignments ports;             // numbers this run uses
    std::vector<DeclaredEndpoint> endpoints;
    const SocketTable& table;
    std::filesystem::path hosts_file; // the platform's, unless --hosts-file
    std::filesystem::path resolv_conf = "/etc/resolv.conf";
    std::chrono::milliseconds resolve_deadline{1500}; // per name, names resolved in parallel
    bool network = true;                              // false: skip checks that send packets (DNS)
    // Appended by the hosts check. Port the resolv.conf nameservers are queried on: always 53
    // for real runs; tests point a temp resolv.conf at 127.0.0.1 and their own DNS server.
    std::uint16_t dns_port = 53;
    std::size_t resolve_parallel = 8; // at most this many names resolved at once
};

// The services a check looks at: the selected ones in `context.services` order, or every
// service of the manifest in file order when none is selected.
inline std::vector<const ServiceSpec*> selected_services(const CheckContext& context) {
    std::vector<const ServiceSpec*> services;
    if (context.services.empty()) {
        for (const auto& service : context.manifest.services) {
            services.push_back(&service);
        }
        return services;
    }
    for (const auto& name : context.services) {
        if (const auto* service = context.manifest.find_service(name)) {
            services.push_back(service);
        }
    }
    return services;
}

} // namespace golaunch
