// `golaunch fix [app.toml] [SERVICE...]`: applies the safe remedies `golaunch check` proposes.
#pragma once

#include <string>
#include <vector>

namespace golaunch {

struct FixCommandOptions {
    std::vector<std::string> positionals; // [manifest] [service...]
    bool dry_run = false;                 // print what would be done, change nothing
    bool write = false; // moved ports go into the manifest (only the number changes)
    bool force = false; // also stop processes golaunch did not start
    bool json = false;
    std::string hosts_file;  // --hosts-file ("" = the platform's)
    bool no_network = false; // --no-network: no DNS queries in the checks
};

// Exit 0 when every error is fixed (dry run: would be), 3 when errors remain or a fix failed.
int run_fix(const FixCommandOptions& options);

} // namespace golaunch
