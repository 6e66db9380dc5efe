// Host-name preflight: the names the project needs ([hosts] and each service's `hosts`) against
// the hosts file, a timed real resolution of the missing ones, HSTS and .local names, localhost.
#pragma once

#include "preflight/check_context.hpp"

#include <filesystem>
#include <string>
#include <vector>

namespace golaunch {

// Ids: host-missing (warning), host-mismatch (error; fixable when golaunch's own block maps
// the name), host-stale (info: a name in golaunch's block the manifest no longer declares),
// host-slow-resolve (warning),
// nameserver-unreachable (warning), hsts-tld (warning), mdns-local (warning),
// localhost-family-mismatch (warning), localhost-missing (warning),
// hosts-file-unreadable (warning; a missing file is not unreadable: it reads as empty, as
// resolvers read it, and its names are host-missing). Resolution (UDP to the resolv.conf
// nameservers) runs only for names missing from the hosts file, and only when ctx.network is true.
std::vector<Finding> check_hosts(const CheckContext& ctx);

// The names the selected services need, each with its expected address: the [hosts] entry
// when there is one, else 127.0.0.1. [hosts] entries come first, then services' names in
// service order; no duplicates. What `golaunch fix` passes to apply_hosts_block.
std::vector<HostEntry> wanted_host_entries(const Manifest& manifest,
                                           const std::vector<std::string>& services);

} // namespace golaunch
