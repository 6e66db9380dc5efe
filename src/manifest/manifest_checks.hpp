// Checks that need the whole manifest: depends_on targets and cycles, duplicate port numbers,
// ${...} references. Run by the loader after every service has been read.
#pragma once

#include "manifest/manifest.hpp"
#include "manifest/service_reader.hpp"
#include "manifest/toml_reader.hpp"

#include <vector>

namespace golaunch {

// `sources` is parallel to manifest.services. Throws a located error on the first problem, in
// the order above. Afterwards rewrites ${port} (see canonical_references).
void check_manifest(const TomlDocument& doc, Manifest& manifest,
                    const std::vector<ServiceSources>& sources);

} // namespace golaunch
