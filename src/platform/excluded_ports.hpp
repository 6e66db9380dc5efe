// Windows' excluded port ranges and dynamic port range, parsed from netsh's output BY NUMBERS
// ONLY: netsh's text is localized ("Start Port / End Port", "Startport / Endport",
// "開始ポート"...), so no header or label is ever matched. Portable: tested on Linux with
// recorded outputs.
//
//   netsh interface ipv4 show excludedportrange protocol=tcp   (and ipv6)
//   netsh interface ipv4 show dynamicport tcp
#pragma once

#include "platform/port_range.hpp"
#include "platform/socket_table.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

struct ExcludedPortRange {
    AddressFamily family = AddressFamily::ipv4;
    PortRange range;
    // Marked `*` by netsh: a persistent exclusion an administrator added (`netsh int ipv4 add
    // excludedportrange`). The others are taken at run time by winnat, Hyper-V, WSL, Docker...
    bool administered = false;
    bool operator==(const ExcludedPortRange&) const = default;
};

// Every line holding exactly two port numbers "START END", optionally followed by `*`, is a
// range; everything else (headers, dashes, the footnote, blank lines, error text) is ignored.
// A range with START > END or a number above 65535 is skipped.
std::vector<ExcludedPortRange> parse_excluded_port_ranges(std::string_view netsh_output,
                                                          AddressFamily family);

// `netsh int ipv4 show dynamicport tcp`: the two "label : NUMBER" lines are the start port
// and the number of ports, in that order. nullopt unless there are exactly two such numbers
// and they make a range within 1..65535.
std::optional<PortRange> parse_dynamic_port_range(std::string_view netsh_output);

// The first range of `ranges` holding `port` (any family), or nullptr.
const ExcludedPortRange* find_excluded_range(const std::vector<ExcludedPortRange>& ranges,
                                             std::uint16_t port);

// "50000-50059", or "5357" for a one-port range.
std::string range_text(const PortRange& range);

// The commands that free a port from an excluded range, to show (never run): stop winnat, add
// an administered exclusion for the port (winnat and Hyper-V then leave it alone), start
// winnat; last, the command that moves the dynamic range (where winnat and Hyper-V take their
// ranges from) back to the Windows default 49152-65535, above the usual development ports.
std::vector<std::string> excluded_range_admin_commands(std::uint16_t port);

} // namespace golaunch
