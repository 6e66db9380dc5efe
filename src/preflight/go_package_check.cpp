#include "preflight/go_package_check.hpp"

#include "manifest/source_error.hpp"
#include "preflight/go_package.hpp"

namespace golaunch {

namespace {

Finding package_finding(const ServiceSpec& service, const char* id) {
    Finding finding;
    finding.id = id;
    finding.severity = Severity::error;
    finding.subject = "go " + service.name;
    finding.message = "service " + service.name + ": go = \"" + service.go_package + "\"";
    finding.evidence = {describe_location(service.go_where) + ": go = \"" + service.go_package +
                        "\""};
    return finding;
}

Finding not_main(const ServiceSpec& service, const GoPackage& package) {
    const GoPackageClause& clause = *package.clause;
    Finding finding = package_finding(service, "go-not-main");
    finding.message +=
        " is package " + clause.name + ", not package main: go build makes no program of it";
    finding.evidence.push_back(clause.file.string() + ":" + std::to_string(clause.line) + ":" +
                               std::to_string(clause.column) + ": package " + clause.name);
    if (!clause.certain) {
        finding.evidence.push_back("no file of " + package.dir.string() + " says package main");
    }
    if (package.mixed) {
        finding.evidence.push_back("other files of it say package main: go builds no package "
                                   "whose files disagree");
    }
    finding.remedy = "point go at the directory of a package main (the one with func main), "
                     "e.g. ./cmd/" +
                     service.name;
    return finding;
}

Finding missing(const ServiceSpec& service, const GoPackage& package) {
    Finding finding = package_finding(service, "go-package-missing");
    finding.message += ": " + package.dir.string() + " " + package.problem;
    finding.remedy = "correct go: a package directory relative to the manifest's directory, "
                     "e.g. ./cmd/" +
                     service.name;
    return finding;
}

} // namespace

std::vector<Finding> check_go_packages(const CheckContext& context) {
    std::vector<Finding> findings;
    for (const auto* service : selected_services(context)) {
        if (service->go_package.empty()) {
            continue;
        }
        const GoPackage package = read_go_package(service->go_package, context.manifest.root_dir);
        if (package.kind == GoPackageKind::not_main) {
            findings.push_back(not_main(*service, package));
        } else if (package.kind == GoPackageKind::missing) {
            findings.push_back(missing(*service, package));
        }
    }
    return findings;
}

} // namespace golaunch
