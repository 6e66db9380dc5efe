// Splits `[app.toml] [SERVICE...]` and loads the manifest.
#pragma once

#include "manifest/manifest.hpp"

#include <string>
#include <vector>

namespace golaunch {

struct ManifestArgs {
    Manifest manifest;
    std::vector<std::string> services; // as named; empty = all
};

// The first positional is the manifest when it ends in .toml or names an existing file;
// otherwise ./golaunch.toml or ./app.toml is used and every positional is a service.
ManifestArgs load_manifest_args(const std::vector<std::string>& positionals);

} // namespace golaunch
