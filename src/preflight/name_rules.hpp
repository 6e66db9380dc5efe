// Host names that misbehave whatever the hosts file says: HSTS-preloaded TLDs (browsers force
// HTTPS) and .local (multicast DNS).
#pragma once

#include "preflight/finding.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

// The TLD if browsers preload HSTS for the whole of it ("dev" for "api.shop.dev"), else "".
std::string hsts_preloaded_tld(std::string_view name);

// "hsts-tld" and "mdns-local" findings for one name; `origin` says who wants it.
std::vector<Finding> name_rule_findings(const std::string& name, const std::string& origin);

} // namespace golaunch
