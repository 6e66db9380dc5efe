// Durations written as "500ms", "30s", "1m30s", "2h".
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace golaunch {

using Duration = std::chrono::milliseconds;

// Parses a Go-style duration ("1m30s", "250ms", "0s"). Returns nullopt when malformed.
std::optional<Duration> parse_duration(std::string_view text);

// Formats for people: "850ms", "1.2s", "2m5s".
std::string format_duration(Duration duration);

} // namespace golaunch
