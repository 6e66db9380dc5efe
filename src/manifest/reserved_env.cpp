#include "manifest/reserved_env.hpp"

#include <cctype>

namespace golaunch {

namespace {

constexpr const char* k_port_hint = "use another name: golaunch sets PORT and PORT_<NAME> for the "
                                    "service's ports itself, and ${ports.NAME} puts a port into "
                                    "any env value or argument";

} // namespace

std::string port_env_name(const std::string& port_name) {
    std::string out = "PORT_";
    for (const char c : port_name) {
        out += std::isalnum(static_cast<unsigned char>(c))
                   ? static_cast<char>(std::toupper(static_cast<unsigned char>(c)))
                   : '_';
    }
    return out;
}

std::optional<ReservedEnv> reserved_env(const std::string& key, const ServiceSpec& service) {
    if (key.rfind(k_reserved_env_prefix, 0) == 0) {
        return ReservedEnv{"env '" + key +
                               "' is reserved: golaunch sets GOLAUNCH_SERVICE, GOLAUNCH_PID and "
                               "GOLAUNCH_PROJECT in every process it starts",
                           "use another name: names starting with GOLAUNCH_ are golaunch's own"};
    }
    if (service.ports.empty()) {
        return std::nullopt;
    }
    const std::string overridden = "env '" + key + "' would be overridden: golaunch sets " + key;
    if (key == "PORT") {
        return ReservedEnv{overridden + " to the first port of service '" + service.name + "' (" +
                               service.ports.front().name + ")",
                           k_port_hint};
    }
    for (const auto& port : service.ports) {
        if (key == port_env_name(port.name)) {
            return ReservedEnv{overridden + " to port '" + port.name + "' of service '" +
                                   service.name + "'",
                               k_port_hint};
        }
    }
    return std::nullopt;
}

} // namespace golaunch
