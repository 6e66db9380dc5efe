// The golaunch command line a remedy prints for this project, to be run from the current
// directory: `golaunch VERB`, naming the manifest unless it is the one a bare command finds
// here, and the hosts file unless it is the platform's, both shell-quoted where they need it.
#pragma once

#include "manifest/manifest.hpp"

#include <filesystem>
#include <string>

namespace golaunch {

// project_command("fix", manifest, "/tmp/hosts") -> "golaunch fix 'my app/app.toml' --hosts-file
// /tmp/hosts" (the manifest named only when it is not ./golaunch.toml or ./app.toml).
std::string project_command(const std::string& verb, const Manifest& manifest,
                            const std::filesystem::path& hosts_path);

} // namespace golaunch
