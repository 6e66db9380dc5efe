// Windows portproxy rules (`netsh interface portproxy add v4tov4 ...`): the IP Helper service
// listens on the rule's port and forwards every connection, so a service declaring that port
// cannot bind it (or gets only some of the traffic). Stored in the registry:
//   HKLM\SYSTEM\CurrentControlSet\Services\PortProxy\<kind>\tcp
// kind = v4tov4 | v4tov6 | v6tov4 | v6tov6; value name "listenaddress/listenport", data
// "connectaddress/connectport" (REG_SZ).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct PortProxyRule {
    std::string kind;           // "v4tov4", ...
    std::string listen_address; // "0.0.0.0", "127.0.0.1", "*" (every address), "::"
    std::uint16_t listen_port = 0;
    std::string connect_address;
    std::uint16_t connect_port = 0;
    bool operator==(const PortProxyRule&) const = default;
};

inline constexpr const char* k_portproxy_key = "SYSTEM\\CurrentControlSet\\Services\\PortProxy";
inline constexpr const char* k_portproxy_kinds[] = {"v4tov4", "v4tov6", "v6tov4", "v6tov6"};

// One registry value as a rule; nullopt when the name or data is not "address/port" with a
// numeric port in 1..65535 (a malformed value is skipped, never fatal).
std::optional<PortProxyRule> parse_portproxy_value(std::string_view kind, std::string_view name,
                                                   std::string_view data);

// Every rule in the registry (Windows); empty on Linux and where the key is absent (Wine).
std::vector<PortProxyRule> read_portproxy_rules();

// "v4tov4 0.0.0.0:8080 -> 192.168.1.10:80"
std::string describe(const PortProxyRule& rule);

} // namespace golaunch
