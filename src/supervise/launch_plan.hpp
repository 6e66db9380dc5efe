// What exactly runs for a service: executable, argv, environment, working directory, and the
// `go build` that comes first for `go = "..."` services. Pure computation, no side effects
// beyond reading env_file.
#pragma once

#include "manifest/manifest.hpp"
#include "supervise/launch_platform.hpp"
#include "supervise/launcher.hpp"

#include <optional>
#include <string>
#include <vector>

namespace golaunch {

struct ServicePlan {
    std::string service;
    std::optional<LaunchSpec> build; // go build -o .golaunch/bin/<service> <package>
    LaunchSpec run;
    std::vector<std::uint16_t> ports; // assigned numbers, declaration order
    std::string probe_url;            // ready = { http = ... }, interpolated
    std::optional<LaunchSpec> probe;  // ready = { exec = [...] }: its env and dir are the service's
    std::string health_url;           // health = { http = ... }, interpolated
    std::optional<LaunchSpec> health; // health = { exec = [...] }
};

// Where go services are built: <manifest dir>/.golaunch/bin/<service> (+ ".exe" on Windows).
// A stable path, so a
// firewall asks once, not on every run as with `go run`'s temporary executables.
std::filesystem::path built_binary_path(const Manifest& manifest, const std::string& service);

// How a program named without a path is found: on this machine (an error when it is not
// there), or, for files written for another machine (`golaunch export`), as written when it is
// not found here.
enum class ProgramLookup { on_this_machine, as_written };

// `base_env` is golaunch's own environment ("KEY=VALUE"); `golaunch_pid` marks the processes.
// Throws golaunch::Error (naming the service) when the program cannot be found (on_this_machine).
ServicePlan plan_service(const Manifest& manifest, const ServiceSpec& service,
                         const PortAssignments& ports, const std::vector<std::string>& base_env,
                         int golaunch_pid, ProgramLookup lookup = ProgramLookup::on_this_machine);

} // namespace golaunch
