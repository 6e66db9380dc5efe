// Loads app.toml with toml++ into a validated Manifest.
#pragma once

#include "manifest/manifest.hpp"

#include <filesystem>
#include <string_view>

namespace golaunch {

// Reads and validates the manifest. Throws golaunch::Error (exit code 2) whose message is
//   app.toml:12:5: error: unknown key 'prots' in [services.api]
//      12 | prots = { http = 8080 }
//         |     ^
// and whose hint is e.g. "did you mean 'ports'?".
Manifest load_manifest(const std::filesystem::path& path);

// Same, from text already in memory (tests, fuzzer). `display_name` is used in messages.
Manifest parse_manifest(std::string_view text, const std::string& display_name,
                        const std::filesystem::path& root_dir);

// The manifest a bare `golaunch run` uses: ./golaunch.toml, else ./app.toml. Throws if neither.
std::filesystem::path default_manifest_path(const std::filesystem::path& dir);

} // namespace golaunch
