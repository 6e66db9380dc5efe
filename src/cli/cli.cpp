#include "cli/cli.hpp"

#include "util/error.hpp"

#include <CLI/CLI.hpp>

#include <cstdio>

namespace golaunch {

int run_cli(int argc, char** argv) {
    CLI::App app{"golaunch: launch and supervise Go services for local development"};
    app.require_subcommand(1);
    CLI11_PARSE(app, argc, argv);
    return 0;
}

} // namespace golaunch
