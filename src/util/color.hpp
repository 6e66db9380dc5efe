// Colour decided once: isatty, TERM != dumb, NO_COLOR, CLICOLOR_FORCE.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace golaunch {

bool should_use_color(std::FILE* stream);

// ANSI SGR sequences; empty strings when colour is off.
struct Palette {
    bool enabled = false;
    std::string paint(std::string_view text, int sgr_code) const;
    std::string bold(std::string_view text) const { return paint(text, 1); }
    std::string red(std::string_view text) const { return paint(text, 31); }
    std::string yellow(std::string_view text) const { return paint(text, 33); }
    std::string green(std::string_view text) const { return paint(text, 32); }
    std::string dim(std::string_view text) const { return paint(text, 2); }
};

// Colours cycled through for service prefixes.
int service_color(std::size_t index);

} // namespace golaunch
