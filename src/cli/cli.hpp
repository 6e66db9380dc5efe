// The command line: parses arguments (CLI11), runs one command, prints errors once.
#pragma once

namespace golaunch {

// Returns the process exit code (see ExitCode in util/error.hpp).
int run_cli(int argc, char** argv);

} // namespace golaunch
