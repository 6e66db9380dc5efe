// What differs between Linux and Windows when planning a launch: this process's environment
// and id, executable names, program lookup on PATH, and how `shell = "..."` runs.
#pragma once

#include "supervise/launcher.hpp"

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

// This process's environment as "KEY=VALUE" strings (UTF-8).
std::vector<std::string> current_environment();

int current_process_id();

// "" on Linux, ".exe" on Windows: appended to `go build -o` outputs.
const char* executable_suffix();

// True when `program` is a path ("./api", "/usr/bin/x", "C:\\x.exe") rather than a name to
// look up on PATH.
bool names_a_path(const std::string& program);

// Finds `program` unless names_a_path(program). Linux: on PATH (from `env`, else a default).
// Windows, as its users expect: first in `local_dirs` (the service's directory, the manifest's),
// then on PATH (from `env`, else ours), each with PATHEXT's extensions. "" when not found.
std::filesystem::path find_program(const std::string& program, const std::vector<std::string>& env,
                                   const std::vector<std::filesystem::path>& local_dirs);

// The command a launch runs, for the log, quoted the way this platform's users type it: POSIX
// shell quoting on Linux ('a b'); on Windows the command line the child receives (double
// quotes, "C:\Program Files\x.exe"), or cmd.exe's verbatim line for a shell service.
std::string display_command(const LaunchSpec& spec);

// True when `a` and `b` name the same environment variable: case-insensitive on Windows
// ("Path" is PATH), exact on Linux.
bool same_env_key(std::string_view a, std::string_view b);

// A `shell = "..."` service: Linux `/bin/sh -c SCRIPT NAME ARGS...`; Windows
// `cmd.exe /d /s /c "SCRIPT ARGS..."` given verbatim (cmd does not follow the C runtime's
// quoting rules).
void plan_shell(LaunchSpec& spec, const std::string& script, const std::string& service,
                const std::vector<std::string>& args, const std::vector<std::string>& env);

} // namespace golaunch
