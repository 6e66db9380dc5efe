// `golaunch export systemd|compose|kubernetes`: the manifest as the files of the engine a project
// grows into. Pure: from the manifest and each service's launch plan (what `run` would start, with
// no environment of golaunch's own) to file contents. What the target cannot express (readiness
// probes in systemd, hosts entries, file templates, watch, loopback-only addresses in
// containers...) is listed in `unexpressed` and as comments in the files, never dropped silently.
#pragma once

#include "manifest/manifest.hpp"
#include "supervise/launch_plan.hpp"

#include <map>
#include <string>
#include <vector>

namespace golaunch {

struct ExportedFiles {
    std::map<std::string, std::string> files; // file name -> content
    std::vector<std::string> unexpressed;     // "api: ready = http ...: ..."
};

// One <project>-<service>.service per service and a <project>.target that wants them all.
// `plans` holds a plan per service, by name.
ExportedFiles export_systemd(const Manifest& manifest,
                             const std::map<std::string, ServicePlan>& plans);

// One compose file (docker-compose 1.29 / Compose spec): a service each, with ports,
// environment, depends_on conditions, restart policy, healthchecks from ready probes, and a
// build hint for go services.
ExportedFiles export_compose(const Manifest& manifest,
                             const std::map<std::string, ServicePlan>& plans);

// One kubernetes.yaml: a Deployment (a Job for ready = "exit") and, for a service with ports, a
// Service each; readiness and liveness probes from `ready` and `health`, env and ports.
ExportedFiles export_kubernetes(const Manifest& manifest,
                                const std::map<std::string, ServicePlan>& plans);

// A Kubernetes object name (an RFC 1123 label): lower case, [a-z0-9-], at most 63 characters,
// starting and ending with a letter or digit.
std::string kubernetes_name(const std::string& name);

// A name systemd and compose accept: [A-Za-z0-9_.-], others replaced by '-'.
std::string export_name(const std::string& name);

} // namespace golaunch
