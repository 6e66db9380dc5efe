// Runs a short read-only command (nft, iptables-save, go env) and collects its output, with a
// hard deadline. For preflight inspection only; services are started by src/supervise.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace golaunch {

struct CommandOutput {
    bool started = false;   // false: not found or not executable (see `error`)
    bool timed_out = false; // killed at the deadline
    int exit_code = -1;     // 0..255, or 128+signal
    std::string out;        // stdout (capped at 4 MiB)
    std::string err;        // stderr (capped at 64 KiB)
    std::string error;      // why it did not start
};

// Runs `argv` (argv[0] looked up in PATH of `env`, or of this process when `env` is empty)
// with stdin from /dev/null and `env` ("KEY=VALUE"; empty = inherit). Kills it (SIGKILL, its
// whole process group) at `timeout`. `cwd` "" = this process's working directory.
CommandOutput run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::string>& env = {},
                          const std::filesystem::path& cwd = {});

// The full path of `program` found in `path` (a PATH value), or "" when there is none.
std::string find_in_path(const std::string& program, const std::string& path);

} // namespace golaunch
