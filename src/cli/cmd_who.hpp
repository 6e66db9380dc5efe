// `golaunch who PORT [--json]`: every socket on a port and the process behind it.
#pragma once

#include <cstdint>

namespace golaunch {

struct WhoOptions {
    std::uint16_t port = 0;
    bool json = false;
    bool all_states = false; // also ESTABLISHED, TIME-WAIT, ... (default: listeners and bound UDP)
};

// Prints to stdout; returns the exit code (0 when something uses the port, 1 when nothing).
int run_who(const WhoOptions& options);

} // namespace golaunch
