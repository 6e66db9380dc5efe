// `golaunch run [app.toml] [SERVICE...]`: preflight, build, launch, supervise until Ctrl-C.
#pragma once

#include <string>
#include <vector>

namespace golaunch {

struct RunCommandOptions {
    std::vector<std::string> positionals; // [manifest] [service...]
    bool json = false;
    bool quiet = false;
    bool verbose = false;
    bool skip_build = false;
    bool stop_when_ready = false;
    int poll_interval_ms = 5;
};

int run_run(const RunCommandOptions& options);

} // namespace golaunch
