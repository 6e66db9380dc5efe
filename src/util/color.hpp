// Colour decided once per stream: what the stream is attached to (stream_kind), then
// CLICOLOR_FORCE, NO_COLOR and TERM (pure, below).
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace golaunch {

// What a stream is attached to, as far as colour goes.
enum class StreamKind {
    other,    // a file, a pipe, NUL, or a Windows console that cannot do escape sequences
    terminal, // a tty, or an MSYS/Cygwin pty (a named pipe on Windows): TERM decides
    console,  // a Windows console with virtual terminal processing on: colour unless TERM=dumb
};

// Platform part (util/color-{linux,win32}.cpp). On Windows it turns the console's
// virtual terminal processing on, and says `other` when the console refuses it.
StreamKind stream_kind(std::FILE* stream);

// Pure: CLICOLOR_FORCE (set, not "0") wins, then NO_COLOR (set, not empty), then the kind and
// TERM. Null pointers stand for unset variables.
bool color_wanted(StreamKind kind, const char* term, const char* no_color, const char* force);

// Pure: the name of the named pipe behind an MSYS2 or Cygwin terminal (mintty, Git Bash), as
// GetFileInformationByHandleEx(FileNameInfo) gives it:
// "\msys-1888ae32e00d56aa-pty0-from-master", "\cygwin-e022582115c10879-pty2-to-master".
bool is_cygwin_pty_pipe_name(std::string_view name);

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
