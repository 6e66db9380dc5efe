// The commands that work on a running golaunch through its control socket
// (supervise/control_server.hpp):
//   golaunch ps [app.toml] [--json]
//   golaunch restart|stop|start [app.toml] SERVICE... [--with-dependents] [--no-wait]
//   golaunch logs [app.toml] [SERVICE...] [-f] [-n N] [--json]
#pragma once

#include <string>
#include <vector>

namespace golaunch {

struct ControlCommandOptions {
    std::vector<std::string> positionals; // [manifest] [service...]
    bool json = false;
    bool with_dependents = false; // restart|stop|start: also every service that needs them
    bool no_wait = false;         // restart|stop|start: return once the request is taken
    bool follow = false;          // logs -f
    int lines = 100;              // logs -n
};

int run_ps(const ControlCommandOptions& options);
// `verb` is "restart", "stop" or "start". Waits (unless no_wait) until each service it
// changed is ready again (stopped, for stop), or failed: exit 0, or 1 when one failed.
int run_service_command(const std::string& verb, const ControlCommandOptions& options);
int run_logs(const ControlCommandOptions& options);

} // namespace golaunch
