// Linux has no portproxy (its counterparts, iptables/nft DNAT rules, are the firewall check's).
#include "platform/portproxy.hpp"

namespace golaunch {

std::vector<PortProxyRule> read_portproxy_rules() {
    return {};
}

} // namespace golaunch
