// Windows: Windows Defender Firewall's rules are read from the registry
// (windows_firewall_rules.hpp) and judged by the port checks (firewall-no-rule,
// firewall-blocks-program: preflight/windows_firewall_check.hpp). Loopback traffic between
// desktop programs is exempt from its filtering, so no rule can make a local service unreachable
// from 127.0.0.1/::1 and this inspection has no drop/reject rules to list; it says whether the
// rules could be read.
#include "platform/firewall.hpp"

#include "platform/windows_firewall_rules.hpp"

namespace golaunch {

FirewallInspection inspect_firewall(std::chrono::milliseconds /*timeout*/) {
    FirewallInspection inspection;
    const auto read = read_windows_firewall_rules();
    if (read.unread.empty()) {
        inspection.inspected.push_back("Windows Defender Firewall (" +
                                       std::to_string(read.rules.size()) + " rules)");
    } else {
        inspection.skipped = read.unread;
    }
    return inspection;
}

std::optional<std::string> firewall_state_key() {
    return std::nullopt; // the registry's rules are read each time (a few ms)
}

} // namespace golaunch
