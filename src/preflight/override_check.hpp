// The port overrides of .golaunch/ports.toml applied to the manifest, and said: a finding per
// port moved, a warning per entry that names nothing the manifest has.
#pragma once

#include "instance/port_override.hpp"
#include "manifest/manifest.hpp"
#include "preflight/finding.hpp"

#include <string>
#include <vector>

namespace golaunch {

// Sets the manifest's port numbers from `overrides`. Returns an info finding "port-override"
// per port changed ("api.http uses 18482 instead of 8080: port override from
// .golaunch/ports.toml") and a warning "port-override-unknown" for an entry naming a service
// or port the manifest does not have (ignored). `fix_command` is the `golaunch fix` command
// line of this project (with its manifest and --hosts-file) that the remedy prints with
// --write, which moves the overrides into the manifest.
std::vector<Finding> apply_port_overrides(Manifest& manifest,
                                          const std::vector<PortOverride>& overrides,
                                          const std::string& fix_command = "golaunch fix");

} // namespace golaunch
