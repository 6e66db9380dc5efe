// Windows: the rules of Windows Defender Firewall are not read. Loopback traffic between
// desktop programs is exempt from its filtering, so its rules cannot make a local service
// unreachable from 127.0.0.1/::1; what it does to golaunch users is the allow prompt shown the
// first time a program binds a wildcard address (kept to one by building to a stable path).
// The inspection says so instead of pretending to have looked.
#include "platform/firewall.hpp"

namespace golaunch {

FirewallInspection inspect_firewall(std::chrono::milliseconds /*timeout*/) {
    FirewallInspection inspection;
    inspection.skipped.push_back(
        "Windows Defender Firewall: rules not inspected (loopback traffic is exempt from them; "
        "a service binding 0.0.0.0 or :: may trigger its allow prompt once per program path)");
    return inspection;
}

} // namespace golaunch
