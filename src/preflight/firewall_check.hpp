// Packet-filter rules (nftables, iptables) that drop or reject a declared port (read-only).
#pragma once

#include "platform/firewall.hpp"
#include "preflight/check_context.hpp"

#include <chrono>
#include <filesystem>
#include <vector>

namespace golaunch {

// Ids: firewall-blocks-port (error when loopback clients are blocked, warning when only other
// interfaces are), firewall-not-inspected (info, when no tool could be run: the reasons).
std::vector<Finding> check_firewall(const CheckContext& context);

// The same against an inspection the caller made.
std::vector<Finding> check_firewall(const CheckContext& context,
                                    const FirewallInspection& inspection);

// The packet filter's rules now: from <root_dir>/.golaunch/firewall.json when they have not
// changed since it was written (instance/firewall_cache.hpp), else read (and the file
// refreshed). An empty `root_dir` always reads.
FirewallInspection current_firewall(const std::filesystem::path& root_dir);

inline constexpr std::chrono::milliseconds k_firewall_timeout{3000};

} // namespace golaunch
