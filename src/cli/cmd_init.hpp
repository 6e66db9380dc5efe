// `golaunch init [DIR] [--from Procfile] [--port BASE] [--force]`: writes DIR/golaunch.toml from
// the main packages of the Go module in DIR (`go list ./...`; ports guessed from their sources)
// or from a Procfile. Never replaces a manifest without --force (the old one is then kept as
// golaunch.toml.bak).
#pragma once

#include <string>

namespace golaunch {

struct InitOptions {
    std::string dir = ".";
    std::string from;     // a Procfile ("" = the Go module)
    int base_port = 5000; // --port: the Procfile's first $PORT, as foreman's -p
    bool force = false;
};

int run_init(const InitOptions& options);

} // namespace golaunch
