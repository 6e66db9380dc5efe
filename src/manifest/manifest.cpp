#include "manifest/manifest.hpp"

namespace golaunch {

PortAssignments declared_ports(const Manifest& manifest) {
    PortAssignments assignments;
    for (const auto& service : manifest.services) {
        auto& ports = assignments[service.name]; // every service has an entry, maybe empty
        for (const auto& port : service.ports) {
            ports[port.name] = port.number;
        }
    }
    return assignments;
}

} // namespace golaunch
