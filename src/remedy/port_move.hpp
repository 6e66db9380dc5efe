// The ports `golaunch fix` moves (internal to remedy/fixer.cpp): a busy port goes to the next
// free one, into .golaunch/ports.toml; with --write into the manifest instead, and the port
// overrides already in .golaunch/ports.toml go there too (what the `port-override` finding's
// remedy promises). All manifest numbers are written in one atomic replace; ports.toml is
// rewritten afterwards without the entries the manifest now holds.
#pragma once

#include "remedy/fixer.hpp"

#include <cstdint>
#include <set>
#include <vector>

namespace golaunch {

// Plans (and unless request.dry_run applies) the moves of `conflicts`, never onto a port in
// `reserved`; with request.write_manifest also one "override-into-manifest" action per
// override of request.overrides that changes a declared port and is not among `conflicts`.
std::vector<FixAction> move_ports(const FixRequest& request,
                                  const std::vector<const PortConflict*>& conflicts,
                                  std::set<std::uint16_t> reserved);

} // namespace golaunch
