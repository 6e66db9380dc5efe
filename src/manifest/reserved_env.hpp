// The environment golaunch sets in every service itself (supervise/launch_plan.cpp): PORT and
// PORT_<NAME> for a service with ports, and GOLAUNCH_SERVICE, GOLAUNCH_PID and GOLAUNCH_PROJECT
// (platform/process_info.hpp) in every process. A manifest `env` key among them would be
// overridden without a word, so the loader refuses it with a located error (README, Manifest).
#pragma once

#include "manifest/manifest.hpp"

#include <optional>
#include <string>

namespace golaunch {

// Every name starting with this is golaunch's own.
inline constexpr const char* k_reserved_env_prefix = "GOLAUNCH_";

// "PORT_" + the port name in upper case, other characters as '_': http -> PORT_HTTP,
// admin-ui -> PORT_ADMIN_UI.
std::string port_env_name(const std::string& port_name);

struct ReservedEnv {
    std::string message; // "env 'PORT' would be overridden: golaunch sets PORT to ..."
    std::string hint;
};

// Why `service` cannot set `key` in its env; nullopt when it may. Needs the service's ports.
std::optional<ReservedEnv> reserved_env(const std::string& key, const ServiceSpec& service);

} // namespace golaunch
