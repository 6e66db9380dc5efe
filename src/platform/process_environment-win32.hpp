// The environment of another Windows process, read from its PEB (internal to src/platform).
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

} // namespace golaunch
