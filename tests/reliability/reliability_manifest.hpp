// The manifests of the reliability tests: real Go fixtures on ports the kernel picked.
#pragma once

#include "support/test_support.hpp"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace golaunch::test {

// A [services.NAME] table running the httpserver fixture on `port` (injected as $PORT),
// answering "hello from NAME"; `args` are more TOML array items (each already quoted, each
// after ", "), `rest` more keys, one a line.
inline std::string http_service(const std::string& name, std::uint16_t port,
                                const std::string& args = "", const std::string& rest = "") {
    return "[services." + name + "]\ncmd = [" + toml_quoted(fixture("httpserver")) +
           ", \"-name\", \"" + name + "\"" + args + "]\nports = { http = " + std::to_string(port) +
           " }\n" + rest;
}

// ", \"-flag\", \"<path>\"" for an http_service argument.
inline std::string path_arg(const std::string& flag, const std::filesystem::path& path) {
    return ", \"" + flag + "\", " + toml_quoted(path.string());
}

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
