// The Windows bind monitor: golaunch_hook.dll (src/monitor/hook_dll) is injected into each
// service while it is suspended and inline-hooks ws2_32!bind and !listen; every call and its WSA
// error comes back over a named pipe. When the DLL refuses to patch (a prologue it cannot decode)
// the session fails with the reason and the supervisor polls the socket table instead.
//
// Only the service's own process is hooked: processes it starts (`go run`'s compiled program,
// a shell's children) are not (injecting into grandchildren is a later step).
#pragma once

#include "monitor/bind_monitor.hpp"

#include <filesystem>
#include <memory>
#include <string>

namespace golaunch {

inline constexpr const char* k_hook_dll_name = "golaunch_hook.dll";

// golaunch_hook.dll next to the running executable.
std::filesystem::path default_hook_dll();

// The hook monitor with the DLL at `dll`; nullptr with the reason when the file is missing.
std::unique_ptr<BindMonitor> create_inline_hook_monitor(const std::filesystem::path& dll,
                                                        std::string& why_not);

} // namespace golaunch
