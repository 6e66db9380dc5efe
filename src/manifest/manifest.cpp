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

const char* to_string(ReadyKind kind) {
    switch (kind) {
    case ReadyKind::ports:
        return "ports";
    case ReadyKind::exit:
        return "exit";
    case ReadyKind::http:
        return "http";
    case ReadyKind::log:
        return "log";
    case ReadyKind::exec:
        return "exec";
    case ReadyKind::notify:
        return "notify";
    }
    return "?";
}

const char* to_string(DependencyCondition condition) {
    switch (condition) {
    case DependencyCondition::started:
        return "started";
    case DependencyCondition::ready:
        return "ready";
    case DependencyCondition::completed:
        return "completed";
    }
    return "?";
}

} // namespace golaunch
