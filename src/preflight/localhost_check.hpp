// What the hosts file makes of `localhost`: missing altogether, or its first address of the
// other family than the one a service binds.
#pragma once

#include "platform/hosts_file.hpp"
#include "preflight/check_context.hpp"

#include <string>
#include <vector>

namespace golaunch {

// "localhost-missing" and "localhost-family-mismatch" findings; `hosts_label` names the file.
std::vector<Finding> check_localhost(const HostsFile& hosts, const std::string& hosts_label,
                                     const std::vector<DeclaredEndpoint>& endpoints);

} // namespace golaunch
