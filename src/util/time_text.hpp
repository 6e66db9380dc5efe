// Wall-clock times as text for JSON output.
#pragma once

#include <chrono>
#include <string>

namespace golaunch {

// "2026-11-26T00:08:16Z", or with milliseconds "2026-11-26T00:08:16.789Z".
std::string iso8601_utc(std::chrono::system_clock::time_point time, bool with_milliseconds = false);

} // namespace golaunch
