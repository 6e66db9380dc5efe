#include "util/terminal_text.hpp"

#include <algorithm>
#include <cstdint>

namespace golaunch {

namespace {

constexpr char k_esc = '\x1b';

bool is_unsafe_byte(unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7f || c == 0xc2;
}

// Index of the first byte that needs a look (a control byte, or 0xC2 which may start a C1).
std::size_t first_unsafe(std::string_view text, std::size_t from) {
    const auto* begin = reinterpret_cast<const unsigned char*>(text.data());
    const auto* end = begin + text.size();
    const auto* found = std::find_if(begin + from, end, is_unsafe_byte);
    return static_cast<std::size_t>(found - begin);
}

// End of a string-type sequence (OSC, DCS, SOS, PM, APC) starting at `from` (after its
// introducer): after BEL (OSC only, but harmless for all) or ST (`ESC \`), else the text's end.
std::size_t end_of_string_sequence(std::string_view text, std::size_t from) {
    for (std::size_t i = from; i < text.size(); ++i) {
        if (text[i] == '\x07') {
            return i + 1;
        }
        if (text[i] == k_esc) {
            return i + 1 < text.size() && text[i + 1] == '\\' ? i + 2 : i + 1;
        }
    }
    return text.size();
}

// Handles `ESC [` at `start`: copies it when it is an SGR sequence. Returns the index after it.
std::size_t copy_if_sgr(std::string& out, std::string_view text, std::size_t start) {
    std::size_t i = start + 2;
    bool sgr_params = true; // only digits, ';' and ':' in an SGR sequence
    while (i < text.size()) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x40 && c <= 0x7e) { // final byte
            if (c == 'm' && sgr_params) {
                out.append(text.substr(start, i + 1 - start));
            }
            return i + 1;
        }
        if (c < 0x20 || c > 0x3f) { // neither parameter nor intermediate: broken sequence
            return i;
        }
        sgr_params = sgr_params && ((c >= '0' && c <= '9') || c == ';' || c == ':');
        ++i;
    }
    return i;
}

// Skips the escape sequence starting at `start` (text[start] == ESC), copying it if SGR.
std::size_t skip_escape(std::string& out, std::string_view text, std::size_t start) {
    if (start + 1 >= text.size()) {
        return text.size();
    }
    const char kind = text[start + 1];
    switch (kind) {
    case '[':
        return copy_if_sgr(out, text, start);
    case ']':
    case 'P':
    case 'X':
    case '^':
    case '_':
        return end_of_string_sequence(text, start + 2);
    default:
        break;
    }
    // nF escapes: intermediates 0x20..0x2f then one final byte (charset selection, ...).
    std::size_t i = start + 1;
    while (i < text.size() && text[i] >= 0x20 && text[i] <= 0x2f) {
        ++i;
    }
    if (i < text.size() && static_cast<unsigned char>(text[i]) >= 0x30 &&
        static_cast<unsigned char>(text[i]) <= 0x7e) {
        return i + 1;
    }
    return i; // a broken escape: drop the ESC (and intermediates) only
}

} // namespace

void append_terminal_safe(std::string& out, std::string_view text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const std::size_t bad = first_unsafe(text, done);
        out.append(text.substr(done, bad - done));
        if (bad >= text.size()) {
            return;
        }
        const auto c = static_cast<unsigned char>(text[bad]);
        if (c == 0xc2) {
            const bool c1 = bad + 1 < text.size() &&
                            static_cast<unsigned char>(text[bad + 1]) >= 0x80 &&
                            static_cast<unsigned char>(text[bad + 1]) <= 0x9f;
            if (!c1) {
                out.push_back(text[bad]); // another character of U+0080..U+00BF: keep
            }
            done = bad + (c1 ? 2 : 1);
        } else if (c == static_cast<unsigned char>(k_esc)) {
            done = skip_escape(out, text, bad);
        } else {
            done = bad + 1; // a C0 control or DEL
        }
    }
}

std::string terminal_safe(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    append_terminal_safe(out, text);
    return out;
}

} // namespace golaunch
