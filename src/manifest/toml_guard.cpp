#include "manifest/toml_guard.hpp"

#include <array>
#include <cctype>
#include <cstdint>
#include <string>

namespace golaunch {

namespace {

struct CodePoint {
    char32_t value = 0;
    std::size_t size = 0; // bytes; 0 for an invalid sequence or the end of the text
};

CodePoint decode_utf8(std::string_view text, std::size_t at) {
    if (at >= text.size()) {
        return {};
    }
    const auto lead = static_cast<unsigned char>(text[at]);
    if (lead < 0x80) {
        return {lead, 1};
    }
    const std::size_t size = lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
    if (size == 0 || lead > 0xF4 || at + size > text.size()) {
        return {};
    }
    char32_t value = lead & (0x7F >> size);
    for (std::size_t i = 1; i < size; ++i) {
        const auto next = static_cast<unsigned char>(text[at + i]);
        if ((next & 0xC0) != 0x80) {
            return {};
        }
        value = (value << 6) | (next & 0x3F);
    }
    return {value, size};
}

// What toml++ 3.3 skips after a line-ending backslash: ASCII whitespace and line breaks, and
// the non-ASCII code points its horizontal-whitespace test accepts.
bool is_skipped_after_backslash(char32_t c) {
    constexpr std::array<char32_t, 6> k_non_ascii = {0xA0, 0x1680, 0x180E, 0x202F, 0x3000, 0xFEFF};
    if (c == ' ' || c == '\t' || (c >= '\n' && c <= '\r')) {
        return true;
    }
    for (const char32_t space : k_non_ascii) {
        if (c == space) {
            return true;
        }
    }
    return (c >= 0x2000 && c <= 0x200B) || (c >= 0x205F && c <= 0x2060);
}

enum class State { normal, comment, basic, literal, multiline_basic, multiline_literal };

// Where the text between tokens stands, as far as a quote's meaning goes: toml++ reads a quote
// as a string where a key or value begins; inside a bare token (`x = 1C="3"`, `2./"""x`) it is
// part of the token, which toml++ scans to its end, asking the whitespace test of each code
// point, before it fails. Brackets are tracked: '[' array, '{' inline table, 'h' table header.
class TokenContext {
  public:
    // One code point of the text between tokens (not a quote or '#'); 0x7F for non-ASCII.
    void see(char c);
    // Whether a quote here certainly opens a string (else the scanner checks its text too).
    bool quote_opens_string() const { return m_expect == Expect::key || m_expect == Expect::value; }
    void after_string() { m_expect = m_expect == Expect::value ? Expect::after_value : m_expect; }

  private:
    enum class Expect { key, value, after_value, bare };

    char top() const { return m_open.empty() ? '\0' : m_open.back(); }
    void close(char bracket);
    void see_in_key(char c);

    Expect m_expect = Expect::key;
    std::string m_open;
};

bool is_bare_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-' || c == '.';
}

void TokenContext::close(char bracket) {
    if (top() != bracket) {
        m_expect = Expect::bare; // not TOML; toml++ stops here
        return;
    }
    m_open.pop_back();
    m_expect = bracket == 'h' && top() == 'h' ? Expect::key : Expect::after_value; // [[a]]
}

void TokenContext::see_in_key(char c) {
    if (c == '=') {
        m_expect = Expect::value;
    } else if (c == '[') {
        m_open.push_back('h');
    } else if (c == ']' || c == '}') {
        close(c == ']' ? 'h' : '{');
    } else if (!is_bare_key_char(c)) {
        m_expect = Expect::bare;
    }
}

void TokenContext::see(char c) {
    const bool space = c == ' ' || c == '\t' || c == '\r';
    if (c == '\n') {
        if (top() == '\0' || top() == 'h') {
            m_open.clear();
            m_expect = Expect::key;
        } else if (m_expect == Expect::bare) {
            m_expect = Expect::after_value;
        }
        return;
    }
    if (m_expect == Expect::bare) {
        if (!space && c != ',' && c != ']' && c != '}') {
            return;
        }
        m_expect = Expect::after_value;
    }
    if (space) {
        return;
    }
    switch (m_expect) {
    case Expect::key:
        see_in_key(c);
        break;
    case Expect::value:
        if (c == '[' || c == '{') {
            m_open.push_back(c);
            m_expect = c == '{' ? Expect::key : Expect::value;
        } else if (c == ']') {
            close('[');
        } else {
            m_expect = Expect::bare;
        }
        break;
    case Expect::after_value:
        if (c == ',' && (top() == '[' || top() == '{')) {
            m_expect = top() == '{' ? Expect::key : Expect::value;
        } else if (c == ']' || c == '}') {
            close(c == '}' ? '{' : top() == 'h' ? 'h' : '[');
        } else {
            m_expect = Expect::bare;
        }
        break;
    case Expect::bare:
        break;
    }
}

class Scanner {
  public:
    explicit Scanner(std::string_view text) : m_text(text) {}

    std::optional<TomlHazard> run();

  private:
    bool at_end() const { return m_at >= m_text.size(); }
    bool looking_at(std::string_view what) const {
        return m_text.substr(m_at, what.size()) == what;
    }
    // Steps over one code point; false on invalid UTF-8.
    bool step();
    void skip(std::size_t count) {
        for (std::size_t i = 0; i < count; ++i) {
            step();
        }
    }
    // A closing """ or ''' may carry up to two more quotes that belong to the string.
    void close_multiline(char quote);
    // Back between tokens after a string (or a comment) that ended at `c`.
    void end_string(char c);
    std::optional<TomlHazard> hazard_here(bool in_string) const;
    std::optional<TomlHazard> after_backslash();
    std::optional<TomlHazard> normal();

    std::string_view m_text;
    std::size_t m_at = 0;
    int m_line = 1;
    int m_column = 1;
    State m_state = State::normal;
    bool m_valid = true;
    TokenContext m_context;
    bool m_unsure_string = false; // in a string that toml++ may read as a bare token
};

bool Scanner::step() {
    const CodePoint current = decode_utf8(m_text, m_at);
    if (current.size == 0) {
        m_valid = false;
        m_at = m_text.size();
        return false;
    }
    m_at += current.size;
    if (current.value == '\n') {
        ++m_line;
        m_column = 1;
    } else {
        ++m_column;
    }
    return true;
}

void Scanner::close_multiline(char quote) {
    skip(3);
    for (int extra = 0; extra < 2 && !at_end() && m_text[m_at] == quote; ++extra) {
        step();
    }
    end_string('"');
}

void Scanner::end_string(char c) {
    if (m_state != State::comment && !m_unsure_string) {
        m_context.after_string();
    }
    if (c == '\n') {
        m_context.see('\n');
    }
    m_state = State::normal;
    m_unsure_string = false;
}

std::optional<TomlHazard> Scanner::hazard_here(bool in_string) const {
    const CodePoint current = decode_utf8(m_text, m_at);
    if (current.size == 0 || !trips_toml_whitespace_test(current.value)) {
        return std::nullopt;
    }
    return TomlHazard{m_line, m_column, current.value, in_string};
}

// In a """string""": toml++ asks whether the escaped code point is whitespace; when it is (a
// line-ending backslash), it skips whitespace and asks again of each code point up to the first
// other one.
std::optional<TomlHazard> Scanner::after_backslash() {
    step(); // the backslash
    if (auto hazard = hazard_here(true)) {
        return hazard;
    }
    const CodePoint escaped = decode_utf8(m_text, m_at);
    if (escaped.size == 0 || !is_skipped_after_backslash(escaped.value)) {
        step();
        return std::nullopt;
    }
    while (m_valid && !at_end() && is_skipped_after_backslash(decode_utf8(m_text, m_at).value)) {
        step();
    }
    return hazard_here(true);
}

std::optional<TomlHazard> Scanner::normal() {
    const char c = m_text[m_at];
    if (c == '"' || c == '\'') {
        m_unsure_string = !m_context.quote_opens_string();
    }
    if (looking_at("\"\"\"")) {
        skip(3);
        m_state = State::multiline_basic;
    } else if (looking_at("'''")) {
        skip(3);
        m_state = State::multiline_literal;
    } else if (m_text[m_at] == '#' || m_text[m_at] == '"' || m_text[m_at] == '\'') {
        m_state = m_text[m_at] == '#'   ? State::comment
                  : m_text[m_at] == '"' ? State::basic
                                        : State::literal;
        step();
    } else if (auto hazard = hazard_here(false)) {
        return hazard;
    } else {
        m_context.see(static_cast<unsigned char>(c) < 0x80 ? c : '\x7F');
        step();
    }
    return std::nullopt;
}

std::optional<TomlHazard> Scanner::run() {
    while (m_valid && !at_end()) {
        const char c = m_text[m_at];
        const bool line_end = c == '\n';
        const bool in_string = m_state != State::normal && m_state != State::comment;
        if (in_string && m_unsure_string) {
            if (auto hazard = hazard_here(false)) {
                return hazard;
            }
        }
        switch (m_state) {
        case State::normal:
            if (auto hazard = normal()) {
                return hazard;
            }
            continue;
        case State::comment:
            if (line_end) {
                end_string(c);
            }
            break;
        case State::literal:
            if (line_end || c == '\'') {
                end_string(c);
            }
            break;
        case State::basic:
            if (c == '\\') {
                step(); // the escaped code point is stepped over below
                if (auto hazard = m_unsure_string ? hazard_here(false) : std::nullopt) {
                    return hazard;
                }
            } else if (line_end || c == '"') {
                end_string(c);
            }
            break;
        case State::multiline_basic:
            if (c == '\\') {
                if (auto hazard = after_backslash()) {
                    return hazard;
                }
                continue;
            }
            if (looking_at("\"\"\"")) {
                close_multiline('"');
                continue;
            }
            break;
        case State::multiline_literal:
            if (looking_at("'''")) {
                close_multiline('\'');
                continue;
            }
            break;
        }
        step();
    }
    return std::nullopt;
}

} // namespace

// Mirrors toml++ 3.3 impl/unicode_autogenerated.h is_non_ascii_horizontal_whitespace(): the code
// points for which it falls through to its `default: TOML_UNREACHABLE`.
bool trips_toml_whitespace_test(char32_t code_point) {
    if (code_point <= 0xA0 || code_point >= 0xFEFF || code_point == 0x3000) {
        return false;
    }
    const std::uint64_t block = (static_cast<std::uint64_t>(code_point) - 0xA0) / 0x3FA;
    if (((std::uint64_t{1} << block) & 0x7FFFFFFFFFFFF75Eull) != 0) {
        return false;
    }
    return block != 0x05 && block != 0x07;
}

std::optional<TomlHazard> find_toml_hazard(std::string_view text) {
    return Scanner(text).run();
}

} // namespace golaunch
