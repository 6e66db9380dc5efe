// `golaunch check [app.toml] [SERVICE...] [--json]`: preflight only; exit 3 on an error finding.
#pragma once

#include <string>
#include <vector>

namespace golaunch {

struct CheckCommandOptions {
    std::vector<std::string> positionals; // [manifest] [service...]
    bool json = false;
    std::string hosts_file;  // --hosts-file ("" = the platform's)
    bool no_network = false; // --no-network: no DNS queries
};

int run_check(const CheckCommandOptions& options);

} // namespace golaunch
