#include "manifest/env_file.hpp"

#include "manifest/source_error.hpp"
#include "manifest/text_file.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cctype>

namespace golaunch {

namespace {

bool is_key_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) || c == '_';
}

bool is_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
}

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

constexpr const char* k_env_hint =
    "write one KEY=VALUE per line; quote values with '...' or \"...\"";

// A cursor over the file; an error is located at the line and column of a position.
class EnvParser {
  public:
    EnvParser(std::string_view text, const std::string& file) : m_text(text), m_file(file) {}

    EnvEntries parse() {
        EnvEntries entries;
        while (!at_end()) {
            skip_blanks();
            if (at_line_end()) {
                next_line();
                continue;
            }
            if (peek() == '#') {
                skip_to_line_end();
                next_line();
                continue;
            }
            entries.push_back(parse_entry());
            next_line();
        }
        return entries;
    }

  private:
    std::pair<std::string, std::string> parse_entry() {
        skip_export();
        std::string key = parse_key();
        skip_blanks();
        if (at_end() || peek() != '=') {
            fail("expected KEY=VALUE");
        }
        ++m_pos;
        skip_blanks();
        std::string value;
        if (!at_end() && (peek() == '\'' || peek() == '"')) {
            value = parse_quoted(peek());
            skip_blanks();
            if (!at_line_end() && peek() != '#') {
                fail("unexpected text after the closing quote");
            }
            skip_to_line_end();
        } else {
            value = parse_unquoted();
        }
        return {std::move(key), std::move(value)};
    }

    void skip_export() {
        constexpr std::string_view k_export = "export";
        if (m_text.substr(m_pos, k_export.size()) == k_export &&
            m_pos + k_export.size() < m_text.size() && is_blank(m_text[m_pos + k_export.size()])) {
            m_pos += k_export.size();
            skip_blanks();
        }
    }

    std::string parse_key() {
        const std::size_t start = m_pos;
        while (!at_line_end() && peek() != '=' && !is_blank(peek())) {
            ++m_pos;
        }
        const std::string key(m_text.substr(start, m_pos - start));
        if (key.empty() || at_line_end()) {
            fail("expected KEY=VALUE");
        }
        if (!is_key_start(key.front()) || !std::all_of(key.begin(), key.end(), is_key_char)) {
            fail_at(start, "invalid variable name '" + key + "'");
        }
        return key;
    }

    std::string parse_quoted(char quote) {
        const std::size_t open = m_pos;
        ++m_pos;
        std::string value;
        while (!at_end() && peek() != quote) {
            char c = m_text[m_pos++];
            if (c == '\r' && !at_end() && peek() == '\n') {
                continue; // CRLF inside a quoted value becomes \n
            } else if (c == '\\' && quote == '"' && !at_end()) {
                c = unescape(m_text[m_pos++]);
            }
            value += c;
        }
        if (at_end()) {
            fail_at(open, std::string("missing closing ") + quote);
        }
        ++m_pos;
        return value;
    }

    std::string parse_unquoted() {
        const std::size_t start = m_pos;
        skip_to_line_end();
        std::string_view value = m_text.substr(start, m_pos - start);
        for (std::size_t i = 0; i < value.size(); ++i) {
            const char before = i == 0 ? m_text[start - 1] : value[i - 1];
            if (value[i] == '#' && is_blank(before)) {
                value = value.substr(0, i);
                break;
            }
        }
        while (!value.empty() && (is_blank(value.back()) || value.back() == '\r')) {
            value.remove_suffix(1);
        }
        return std::string(value);
    }

    // A backslash keeps its meaning only before n, r, t, " and \; elsewhere it is literal.
    char unescape(char c) {
        switch (c) {
        case 'n':
            return '\n';
        case 'r':
            return '\r';
        case 't':
            return '\t';
        case '"':
        case '\\':
            return c;
        default:
            --m_pos;
            return '\\';
        }
    }

    [[noreturn]] void fail(const std::string& message) const { fail_at(m_pos, message); }

    // "FILE:LINE:COLUMN: error: MESSAGE", the line and a caret (manifest/source_error.hpp).
    [[noreturn]] void fail_at(std::size_t pos, const std::string& message) const {
        throw source_error(location_of(pos), m_text, message, k_env_hint);
    }

    // Columns count code points, as in manifest errors; a byte order mark is not one.
    SourceLocation location_of(std::size_t pos) const {
        SourceLocation where{m_file, 1, 1};
        std::size_t line_start = m_text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
        for (std::size_t i = 0; i < pos && i < m_text.size(); ++i) {
            if (m_text[i] == '\n') {
                ++where.line;
                line_start = i + 1;
            }
        }
        for (std::size_t i = line_start; i < pos && i < m_text.size(); ++i) {
            if ((static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80) {
                ++where.column;
            }
        }
        return where;
    }

    bool at_end() const { return m_pos >= m_text.size(); }
    char peek() const { return m_text[m_pos]; }
    bool at_line_end() const {
        return at_end() || peek() == '\n' ||
               (peek() == '\r' && (m_pos + 1 == m_text.size() || m_text[m_pos + 1] == '\n'));
    }
    void skip_blanks() {
        while (!at_end() && is_blank(peek())) {
            ++m_pos;
        }
    }
    void skip_to_line_end() {
        while (!at_end() && peek() != '\n') {
            ++m_pos;
        }
    }
    void next_line() {
        skip_to_line_end();
        if (!at_end()) {
            ++m_pos;
        }
    }

    std::string_view m_text;
    const std::string& m_file;
    std::size_t m_pos = 0;
};

} // namespace

EnvEntries parse_env_file(std::string_view text, const std::string& display_name) {
    return EnvParser(text, display_name).parse();
}

EnvEntries load_env_file(const std::filesystem::path& path) {
    return parse_env_file(
        read_text_file(path, "create the file or remove env_file from the manifest"),
        path.string());
}

} // namespace golaunch
