#include "cli/cli.hpp"
#include "supervise/output_target.hpp"

int main(int argc, char** argv) {
    // A reader of our stdout that goes away (`golaunch run | head -3`) is an EPIPE to handle
    // (stop the services cleanly), not a death by SIGPIPE.
    golaunch::ignore_broken_pipe_signal();
    return golaunch::run_cli(argc, argv);
}
