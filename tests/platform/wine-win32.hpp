// Whether the Windows tests run under Wine (ntdll exports wine_get_version), for the few
// assertions Wine cannot satisfy (owner pids are 0) and that are skipped there with the reason.
#pragma once

#include <windows.h>

namespace golaunch::test {

inline bool running_under_wine() {
    const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
    return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

} // namespace golaunch::test
