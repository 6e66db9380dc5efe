#include "util/terminal_text.hpp"

#include <cstdint>
#include <cstring>

namespace golaunch {

namespace {

constexpr char k_esc = '\x1b';

bool is_unsafe_byte(unsigned char c) {
    return (c < 0x20 && c != '\t') || c == 0x7f || c == 0xc2;
}

constexpr std::uint64_t k_ones = 0x0101010101010101ULL;
constexpr std::uint64_t k_highs = 0x8080808080808080ULL;

// Whether any of the 8 bytes in `word` is below 0x20, 0x7F or 0xC2 (SWAR; a tab also answers
// yes, and the bytes are then looked at one by one).
bool word_needs_a_look(std::uint64_t word) {
    const auto has_zero = [](std::uint64_t v) {
        return ((v - k_ones) & ~v & k_highs) != 0;
    };
    const bool below_space = ((word - 0x20 * k_ones) & ~word & k_highs) != 0;
    return below_space || has_zero(word ^ (0x7f * k_ones)) || has_zero(word ^ (0xc2 * k_ones));
}

// Index of the first byte that needs a look (a control byte, or 0xC2 which may start a C1).
// Plain text, the common case, is scanned 8 bytes at a time.
std::size_t first_unsafe(std::string_view text, std::size_t from) {
    std::size_t i = from;
    for (; i + 8 <= text.size(); i += 8) {
        std::uint64_t word = 0;
        std::memcpy(&word, text.data() + i, 8);
        if (word_needs_a_look(word)) {
            break;
        }
    }
    for (; i < text.size(); ++i) {
        if (is_unsafe_byte(static_cast<unsigned char>(text[i]))) {
            return i;
        }
    }
    return i;
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
