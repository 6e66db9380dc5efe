// The restart and timeout policy keys shared by [defaults] and [services.NAME].
#pragma once

#include "manifest/manifest.hpp"
#include "manifest/toml_reader.hpp"

#include <string>
#include <vector>

namespace golaunch {

// startup_timeout, restart, max_restarts, backoff, stop_grace, on_port_conflict.
const std::vector<std::string>& policy_keys();

// Applies `key` = `node` to `policy` when `key` is a policy key; returns false otherwise.
// `table` names the enclosing table for messages ("defaults", "services.api").
// A backoff whose initial exceeds its max (after inheriting the other half) is an error.
bool read_policy_key(const TomlDocument& doc, const std::string& key, const toml::node& node,
                     const std::string& table, Defaults& policy);

// Copies the policy fields into a service.
void apply_policy(const Defaults& policy, ServiceSpec& service);

} // namespace golaunch
