// Windows passes a child one command-line string; the C runtime (and Go, and
// CommandLineToArgvW) splits it into argv by the documented MSVCRT rules ("Parsing C
// command-line arguments"). This builds that string from an argv so every argument arrives
// unchanged, and parses one back (for tests, and to show what a child will see). Portable
// code: unit-tested on Linux too.
#pragma once

#include <string>
#include <vector>

namespace golaunch {

// One argument (argv[1..]) as the C runtime will read it back: unchanged when it has no space,
// tab, newline, vertical tab or double quote and is not empty; else in double quotes, with each
// `"` escaped as `\"` and the backslashes before a `"` (or before the closing quote) doubled.
std::string quote_windows_argument(const std::string& argument);

// argv[0], which the runtime reads without escapes (a path cannot hold `"`): quoted when it holds
// a space or tab.
std::string quote_windows_program(const std::string& program);

// program + arguments, separated by single spaces.
std::string windows_command_line(const std::string& program,
                                 const std::vector<std::string>& arguments);

// The inverse, by the rules of the Universal C runtime (2008 and later): argv[0] up to the first
// space or tab outside quotes, quotes removed; then arguments: 2n backslashes + `"` give n
// backslashes and toggle quoting, 2n+1 backslashes + `"` give n backslashes and a `"`, other
// backslashes are literal, and `""` inside quotes is a literal `"`.
std::vector<std::string> parse_windows_command_line(const std::string& command_line);

} // namespace golaunch
