// The `files` of the services a run starts, written once the preflight has settled the ports
// (next-free may have moved some) and before any service starts: each template rendered with
// the ports of the run (manifest/file_templates.hpp) and written inside the project, never
// through a link (instance/project_file.hpp).
#pragma once

#include "manifest/manifest.hpp"

#include <string>
#include <vector>

namespace golaunch {

struct WrittenFile {
    std::string service;
    std::string from; // as in the manifest
    std::string to;   // relative to the manifest directory, normal
};

// For each of `services` (in that order; empty = all), each of its `files` in manifest order.
// Throws golaunch::Error: a template that no longer reads or resolves (located in it, exit
// code 2), or a target that cannot be written (a link on the way, permissions).
std::vector<WrittenFile> write_service_files(const Manifest& manifest,
                                             const std::vector<std::string>& services,
                                             const PortAssignments& ports);

} // namespace golaunch
