// A pre-pass over manifest text that keeps toml++ 3.3 away from undefined behaviour.
// Internal to src/manifest (used by TomlDocument::parse).
//
// toml++ 3.3's is_non_ascii_horizontal_whitespace() reaches TOML_UNREACHABLE
// (__builtin_unreachable) for some code points, e.g. U+00E9 'é', U+3042 'あ', U+FEBF: its
// generated lookup table misses three 1018-code-point blocks. The parser asks that question of
// every code point between tokens and of the first one after a backslash in a """string""".
// Found by tests/fuzz/manifest_fuzzer (UBSan: "execution reached an unreachable program point").
#pragma once

#include <optional>
#include <string_view>

namespace golaunch {

struct TomlHazard {
    int line = 0;   // 1-based
    int column = 0; // 1-based, in code points like toml++
    char32_t code_point = 0;
    bool in_multiline_string = false; // after a backslash in a """string""", else between tokens
};

// True for the code points that toml++ 3.3's whitespace test cannot answer.
bool trips_toml_whitespace_test(char32_t code_point);

// The first place where toml++ would ask its whitespace test about such a code point: outside
// strings and comments (where any non-ASCII character is a syntax error anyway), or after a
// backslash in a multi-line basic string. Text inside strings and comments is otherwise free.
// Stops at the first invalid UTF-8 sequence (toml++ reports that itself).
std::optional<TomlHazard> find_toml_hazard(std::string_view text);

} // namespace golaunch
