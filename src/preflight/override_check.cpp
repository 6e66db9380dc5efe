#include "preflight/override_check.hpp"

namespace golaunch {

namespace {

constexpr const char* k_overrides_file = ".golaunch/ports.toml";

} // namespace

std::vector<Finding> apply_port_overrides(Manifest& manifest,
                                          const std::vector<PortOverride>& overrides,
                                          const std::string& fix_command) {
    std::vector<Finding> findings;
    for (const auto& entry : overrides) {
        const std::string label = entry.service + "." + entry.port_name;
        const std::string where = entry.where.file + ":" + std::to_string(entry.where.line) + ":" +
                                  std::to_string(entry.where.column);
        PortSpec* port = nullptr;
        for (auto& service : manifest.services) {
            if (service.name != entry.service) {
                continue;
            }
            for (auto& candidate : service.ports) {
                if (candidate.name == entry.port_name) {
                    port = &candidate;
                }
            }
        }
        if (port == nullptr) {
            Finding finding;
            finding.id = "port-override-unknown";
            finding.severity = Severity::warning;
            finding.subject = label;
            finding.message = "port override for " + label + " ignored: the manifest has no such " +
                              (manifest.find_service(entry.service) ? "port" : "service");
            finding.evidence = {where + ": " + entry.port_name + " = " +
                                std::to_string(entry.number)};
            finding.remedy = "delete that line from " + std::string(k_overrides_file);
            finding.fields.service = entry.service;
            finding.fields.port_name = entry.port_name;
            finding.fields.to = entry.number;
            finding.fields.file = entry.where.file;
            finding.fields.line = entry.where.line;
            findings.push_back(std::move(finding));
            continue;
        }
        if (port->number == entry.number) {
            continue;
        }
        Finding finding;
        finding.id = "port-override";
        finding.severity = Severity::info;
        finding.subject = label + " :" + std::to_string(entry.number);
        finding.message = label + " uses " + std::to_string(entry.number) + " instead of " +
                          std::to_string(port->number) + ": port override from " + k_overrides_file;
        finding.evidence = {where};
        finding.remedy = "delete the line to use " + std::to_string(port->number) + " again, or `" +
                         fix_command + " --write` to put the number in the manifest";
        finding.fields.service = entry.service;
        finding.fields.port_name = entry.port_name;
        finding.fields.port = port->number;
        finding.fields.to = entry.number;
        finding.fields.file = entry.where.file;
        finding.fields.line = entry.where.line;
        findings.push_back(std::move(finding));
        port->number = entry.number;
    }
    return findings;
}

} // namespace golaunch
