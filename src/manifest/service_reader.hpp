// Reads one [services.NAME] table into a ServiceSpec.
#pragma once

#include "manifest/manifest.hpp"
#include "manifest/toml_reader.hpp"

#include <string>
#include <utility>
#include <vector>

namespace golaunch {

// Where the parts of a service were written, for checks that need the whole manifest.
struct ServiceSources {
    std::vector<SourceLocation> depends_on; // one per ServiceSpec::depends_on entry
    // Every string that may hold ${...} (args, env values, cmd, shell) and where it is.
    std::vector<std::pair<std::string, SourceLocation>> templates;
};

struct ServiceRead {
    ServiceSpec spec;
    ServiceSources sources;
};

// Validates keys, types and values of the service `name` = `node`; policy keys not set here
// come from `defaults`. Cross-service checks (depends_on targets, ports, ${...}) come later.
ServiceRead read_service(const TomlDocument& doc, const toml::key& name, const toml::node& node,
                         const Defaults& defaults);

// The service table keys the manifest accepts.
const std::vector<std::string>& service_keys();

} // namespace golaunch
