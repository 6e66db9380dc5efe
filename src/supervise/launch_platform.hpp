// What differs between Linux and Windows when planning a launch: this process's environment
// and id, executable names, program lookup on PATH, and how `shell = "..."` runs.
#pragma once

#include "supervise/launcher.hpp"

#include <filesystem>
#include <string>
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

// Finds `program` on PATH (from `env`, else ours) unless names_a_path(program); on Windows
// also tries PATHEXT's extensions. "" when not found.
std::filesystem::path find_program(const std::string& program, const std::vector<std::string>& env);

// A `shell = "..."` service: Linux `/bin/sh -c SCRIPT NAME ARGS...`; Windows
// `cmd.exe /d /s /c "SCRIPT ARGS..."` given verbatim (cmd does not follow the C runtime's
// quoting rules).
void plan_shell(LaunchSpec& spec, const std::string& script, const std::string& service,
                const std::vector<std::string>& args, const std::vector<std::string>& env);

} // namespace golaunch
