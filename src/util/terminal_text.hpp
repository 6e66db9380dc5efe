// Service output is copied to golaunch's terminal, so a service could otherwise move the
// cursor, clear the screen, set the window title, write the clipboard (OSC 52) or plant
// hyperlinks in golaunch's output. This filter keeps what is harmless and useful, SGR colours
// and styles (`ESC [ ... m`) and tabs, and removes every other escape sequence and control
// character. It is applied to service lines in text mode whether or not stdout is a terminal
// (a file or a pager shows the same text later); JSON mode keeps the raw bytes, JSON-escaped.
#pragma once

#include <string>
#include <string_view>

namespace golaunch {

// Appends `text` to `out` without the unsafe sequences. Removed:
// - CSI sequences other than SGR (`ESC [` params intermediates final), e.g. cursor movement,
//   erase, scroll regions, mode changes, device queries;
// - OSC (`ESC ]` ... BEL or ST): title, hyperlinks, clipboard, colours;
// - DCS, SOS, PM, APC (`ESC P`, `ESC X`, `ESC ^`, `ESC _` ... ST);
// - other escapes (`ESC c` reset, `ESC 7`/`ESC 8`, charset selection `ESC ( 0`, ...);
// - C0 controls except TAB (so CR, BS, BEL, VT, FF, SO/SI), DEL, and the C1 controls
//   U+0080..U+009F encoded in UTF-8 (some terminals read U+009B as CSI).
// A sequence cut short by the end of the text is removed up to that end.
void append_terminal_safe(std::string& out, std::string_view text);

std::string terminal_safe(std::string_view text);

} // namespace golaunch
