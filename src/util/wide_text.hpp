// UTF-8 <-> UTF-16 for the Win32 API (implemented in wide_text-win32.cpp only; Linux code has
// no use for it). Invalid input is replaced, never an error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

std::wstring to_wide(std::string_view utf8);
std::string from_wide(std::wstring_view utf16);

// The text of a Win32 error code (GetLastError, WSAGetLastError), without the trailing newline:
// "Access is denied. (error 5)".
std::string win32_error_text(unsigned long code);

// A CreateProcessW command line that CommandLineToArgvW and the C runtime split back into
// exactly `argv` (quotes and backslashes escaped as they expect).
std::wstring windows_command_line(const std::vector<std::string>& argv);

} // namespace golaunch
