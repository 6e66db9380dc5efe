// .golaunch/firewall.json: the last firewall inspection (platform/firewall.hpp) with the key of
// the packet filter's state it was read in (firewall_state_key: boot, network namespace,
// nftables' ruleset generation). While the key is the same, the rules are the same, and a
// start-up reads this file instead of the whole ruleset: one netlink round trip instead of a
// listing and, on machines with iptables-nft tables, two iptables-save processes.
//
// Best effort both ways: a missing, unreadable, foreign-format or stale file is a miss, and a
// failed write is ignored (the next run inspects again). Written only into an existing
// .golaunch/ (made by `run`), so `golaunch check` in a fresh clone creates nothing.
#pragma once

#include "platform/firewall.hpp"

#include <filesystem>
#include <optional>
#include <string>

namespace golaunch {

// <root_dir>/.golaunch/firewall.json
std::filesystem::path firewall_cache_path(const std::filesystem::path& root_dir);

// The file's text for `inspection` read under `key`, and back: nullopt when `text` is not
// such a file or was written under another key.
std::string firewall_cache_text(const std::string& key, const FirewallInspection& inspection);
std::optional<FirewallInspection> parse_firewall_cache(const std::string& text,
                                                       const std::string& key);

std::optional<FirewallInspection> read_firewall_cache(const std::filesystem::path& root_dir,
                                                      const std::string& key);
void write_firewall_cache(const std::filesystem::path& root_dir, const std::string& key,
                          const FirewallInspection& inspection);

} // namespace golaunch
