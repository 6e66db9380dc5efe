// The environment and command line of another Windows process, read from its PEB (internal to
// src/platform).
#pragma once

#include <windows.h>

#include <optional>
#include <string>
#include <vector>

namespace golaunch {

// "NAME=value" entries of the process behind `process` (opened with
// PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ); nullopt when it cannot be read.
// Same-bitness (x64) processes only.
std::optional<std::vector<std::string>> read_process_environment(HANDLE process);

// The command line of the process behind `process`, from the same PEB block (the fallback when
// NtQueryInformationProcess(ProcessCommandLineInformation) is missing: before Windows 8.1, and
// under Wine 8); nullopt when it cannot be read.
std::optional<std::wstring> read_process_command_line(HANDLE process);

} // namespace golaunch
