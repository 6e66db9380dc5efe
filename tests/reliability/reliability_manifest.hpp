// The manifests of the reliability tests: real Go fixtures on ports the kernel picked.
#pragma once

#include "support/test_support.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace golaunch::test {

// Three services, no restarts: web (whose Go process starts a `sleep` grandchild and writes
// its pid to `sleeper_pidfile`), api and admin.
inline std::string three_service_manifest(const std::vector<std::uint16_t>& ports,
                                          const std::filesystem::path& sleeper_pidfile) {
    return "version = 1\nname = \"reliability\"\n[defaults]\nrestart = \"no\"\n"
           "stop_grace = \"2s\"\n" +
           http_service("web", ports.at(0), path_arg("-sleeper-pidfile", sleeper_pidfile)) +
           http_service("api", ports.at(1)) + http_service("admin", ports.at(2));
}

} // namespace golaunch::test
