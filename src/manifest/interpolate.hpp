// ${ports.SERVICE.NAME} interpolation in args and env.
#pragma once

#include "manifest/manifest.hpp"

#include <string>
#include <vector>

namespace golaunch {

// Replaces ${ports.svc.name} (and ${port} / ${ports.name} meaning this service's own port)
// with the assigned numbers. `$$` is a literal `$`. Throws Error on an unknown reference.
std::string interpolate(const std::string& text, const std::string& service_name,
                        const PortAssignments& ports);

// Lists every ${...} reference in `text` that cannot be resolved against the manifest;
// used at load time so that mistakes are reported with file:line:col.
std::vector<std::string> unresolved_references(const std::string& text,
                                               const std::string& service_name,
                                               const Manifest& manifest);

} // namespace golaunch
