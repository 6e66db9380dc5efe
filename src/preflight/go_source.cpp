#include "preflight/go_source.hpp"

#include "util/strings.hpp"

#include <algorithm>
#include <array>
#include <vector>

namespace golaunch {

namespace {

// go/build's syslist (Go 1.19), plus later additions: a name too many only makes a file
// "maybe built", never wrongly certain.
constexpr std::array<std::string_view, 18> k_known_os = {
    "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios",     "js",
    "linux", "nacl",    "netbsd", "openbsd",   "plan9",   "solaris", "wasip1",  "windows", "zos"};
constexpr std::array<std::string_view, 24> k_known_arch = {
    "386",     "amd64",  "amd64p32", "arm",      "armbe",     "arm64",       "arm64be", "loong64",
    "mips",    "mipsle", "mips64",   "mips64le", "mips64p32", "mips64p32le", "ppc",     "ppc64",
    "ppc64le", "riscv",  "riscv64",  "s390",     "s390x",     "sparc",       "sparc64", "wasm"};

template <std::size_t N>
bool is_one_of(const std::array<std::string_view, N>& names, std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

bool is_identifier_start(char c) {
    const auto u = static_cast<unsigned char>(c);
    return (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || u == '_' || u >= 0x80;
}

bool is_identifier_char(char c) {
    return is_identifier_start(c) || (c >= '0' && c <= '9');
}

// "//go:build EXPR" (go's own test: the word, then a blank or the end), or "// +build ..."
// with any blanks before the plus (go accepts "//+build" too).
bool is_constraint_line(std::string_view line) {
    constexpr std::string_view k_go_build = "//go:build";
    if (starts_with(line, k_go_build)) {
        return line.size() == k_go_build.size() || line[k_go_build.size()] == ' ' ||
               line[k_go_build.size()] == '\t' || line[k_go_build.size()] == '\r';
    }
    return starts_with(trim(line.substr(2)), "+build");
}

// A cursor over the source that knows its line and where that line starts.
class HeaderReader {
  public:
    explicit HeaderReader(std::string_view text) : m_text(text) {
        if (starts("\xEF\xBB\xBF")) { // a byte order mark go ignores
            m_pos = m_line_start = 3;
        }
    }

    std::optional<GoFileHeader> read() {
        GoFileHeader header;
        if (!skip_blanks_and_comments(&header.constrained) || !starts("package") ||
            (m_pos + 7 < m_text.size() && is_identifier_char(m_text[m_pos + 7]))) {
            return std::nullopt;
        }
        m_pos += 7;
        if (!skip_blanks_and_comments(nullptr) || m_pos >= m_text.size() ||
            !is_identifier_start(m_text[m_pos])) {
            return std::nullopt;
        }
        header.line = m_line;
        header.column = column();
        const std::size_t start = m_pos;
        while (m_pos < m_text.size() && is_identifier_char(m_text[m_pos])) {
            ++m_pos;
        }
        header.package = std::string(m_text.substr(start, m_pos - start));
        return header;
    }

  private:
    bool starts(std::string_view prefix) const {
        return m_text.substr(m_pos, prefix.size()) == prefix;
    }

    void advance_to(std::size_t end) {
        for (; m_pos < end; ++m_pos) {
            if (m_text[m_pos] == '\n') {
                ++m_line;
                m_line_start = m_pos + 1;
            }
        }
    }

    // Skips blanks, newlines and comments; notes constraint lines when `constrained` is given.
    // False at an unterminated block comment.
    bool skip_blanks_and_comments(bool* constrained) {
        while (m_pos < m_text.size()) {
            const char c = m_text[m_pos];
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                advance_to(m_pos + 1);
            } else if (starts("//")) {
                const std::size_t end = std::min(m_text.find('\n', m_pos), m_text.size());
                if (constrained != nullptr &&
                    is_constraint_line(m_text.substr(m_pos, end - m_pos))) {
                    *constrained = true;
                }
                advance_to(end);
            } else if (starts("/*")) {
                const std::size_t end = m_text.find("*/", m_pos + 2);
                if (end == std::string_view::npos) {
                    return false;
                }
                advance_to(end + 2);
            } else {
                break;
            }
        }
        return true;
    }

    int column() const {
        int count = 1;
        for (std::size_t i = m_line_start; i < m_pos; ++i) {
            if ((static_cast<unsigned char>(m_text[i]) & 0xC0) != 0x80) {
                ++count;
            }
        }
        return count;
    }

    std::string_view m_text;
    std::size_t m_pos = 0;
    int m_line = 1;
    std::size_t m_line_start = 0;
};

} // namespace

std::optional<GoFileHeader> read_go_file_header(std::string_view source) {
    return HeaderReader(source).read();
}

bool has_platform_suffix(std::string_view file_name) {
    const std::string_view stem = file_name.substr(0, file_name.find('.'));
    const std::size_t underscore = stem.find('_');
    if (underscore == std::string_view::npos) {
        return false;
    }
    std::vector<std::string> parts = split(stem.substr(underscore), '_');
    if (!parts.empty() && parts.back() == "test") {
        parts.pop_back();
    }
    const std::size_t n = parts.size();
    if (n >= 2 && is_one_of(k_known_os, parts[n - 2]) && is_one_of(k_known_arch, parts[n - 1])) {
        return true;
    }
    return n >= 1 && (is_one_of(k_known_os, parts[n - 1]) || is_one_of(k_known_arch, parts[n - 1]));
}

bool is_buildable_go_file_name(std::string_view file_name) {
    constexpr std::string_view k_suffix = ".go";
    constexpr std::string_view k_test_suffix = "_test.go";
    const auto ends_with = [&](std::string_view suffix) {
        return file_name.size() >= suffix.size() &&
               file_name.substr(file_name.size() - suffix.size()) == suffix;
    };
    return !file_name.empty() && file_name.front() != '_' && file_name.front() != '.' &&
           ends_with(k_suffix) && !ends_with(k_test_suffix);
}

} // namespace golaunch
