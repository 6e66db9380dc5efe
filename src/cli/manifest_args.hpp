// Splits `[app.toml] [SERVICE...]`, loads the manifest and applies .golaunch/ports.toml.
#pragma once

#include "instance/port_override.hpp"
#include "manifest/manifest.hpp"
#include "preflight/finding.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace golaunch {

struct ManifestArgs {
    Manifest manifest;                      // with the port overrides applied
    std::vector<std::string> services;      // as named; empty = all
    std::vector<PortOverride> overrides;    // as read from .golaunch/ports.toml
    std::vector<Finding> override_findings; // "port-override" (info), "port-override-unknown"
};

// The first positional is the manifest when it ends in .toml or names an existing file;
// otherwise ./golaunch.toml or ./app.toml is used and every positional is a service.
// `hosts_file` is --hosts-file ("" = the platform's): remedies that print a `golaunch fix`
// command repeat it.
ManifestArgs load_manifest_args(const std::vector<std::string>& positionals,
                                const std::string& hosts_file);

// The same split without loading the manifest (the commands that talk to a running golaunch
// need only its directory): the manifest's path and the services named.
struct ManifestPathArgs {
    std::filesystem::path manifest;
    std::vector<std::string> services;
};
ManifestPathArgs split_manifest_args(const std::vector<std::string>& positionals);

} // namespace golaunch
