// `golaunch check [app.toml] [--json]`: preflight only; exit 3 on an error finding.
#pragma once

#include <string>
#include <vector>

namespace golaunch {

struct CheckCommandOptions {
    std::vector<std::string> positionals; // [manifest] [service...]
    bool json = false;
};

int run_check(const CheckCommandOptions& options);

} // namespace golaunch
