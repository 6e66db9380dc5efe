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
    std::string monitor = "auto";  // --monitor auto|notify|poll|off
    bool ignore_preflight = false; // start even when preflight finds errors (warned loudly)
    std::string hosts_file;        // --hosts-file ("" = the platform's)
    bool no_network = false;       // --no-network: preflight sends no DNS queries
    bool watch = false;            // --watch: rebuild and restart go services on a change
    std::string dashboard;         // --dashboard[=PORT]: "" none, "free" a free port, else the port
};

int run_run(const RunCommandOptions& options);

} // namespace golaunch
