#include "manifest/source_error.hpp"

#include <algorithm>
#include <optional>

namespace golaunch {

namespace {

// Line `line` (1-based) of `source` without its line ending; nullopt past the end.
std::optional<std::string_view> source_line(std::string_view source, int line) {
    std::size_t start = 0;
    for (int i = 1; i < line; ++i) {
        const auto newline = source.find('\n', start);
        if (newline == std::string_view::npos) {
            return std::nullopt;
        }
        start = newline + 1;
    }
    std::string_view text = source.substr(start);
    text = text.substr(0, text.find('\n'));
    if (!text.empty() && text.back() == '\r') {
        text.remove_suffix(1);
    }
    if (line == 1 && text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3); // UTF-8 byte order mark
    }
    return text;
}

bool is_utf8_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Blanks up to `column` (1-based, counted in code points like toml++ does), tabs kept.
std::string caret_padding(std::string_view line, int column) {
    std::string padding;
    int seen = 0;
    for (std::size_t i = 0; i < line.size() && seen < column - 1; ++i) {
        if (is_utf8_continuation(line[i])) {
            continue;
        }
        padding += line[i] == '\t' ? '\t' : ' ';
        ++seen;
    }
    padding.append(static_cast<std::size_t>(std::max(0, column - 1 - seen)), ' ');
    return padding;
}

std::string right_aligned(const std::string& text, std::size_t width) {
    return text.size() >= width ? text : std::string(width - text.size(), ' ') + text;
}

} // namespace

std::string describe_location(const SourceLocation& where) {
    std::string out = where.file;
    if (where.line > 0) {
        out += ':' + std::to_string(where.line);
        if (where.column > 0) {
            out += ':' + std::to_string(where.column);
        }
    }
    return out;
}

std::string format_source_error(const SourceLocation& where, std::string_view source,
                                std::string_view message) {
    std::string out = describe_location(where) + ": error: ";
    out += message;
    if (where.line <= 0) {
        return out;
    }
    const auto line = source_line(source, where.line);
    if (!line) {
        return out;
    }
    const std::string number = right_aligned(std::to_string(where.line), 4);
    out += "\n " + number + " | ";
    out += *line;
    if (where.column > 0) {
        out += "\n " + std::string(number.size(), ' ') + " | " +
               caret_padding(*line, where.column) + '^';
    }
    return out;
}

Error source_error(const SourceLocation& where, std::string_view source, std::string_view message,
                   std::string hint) {
    return Error::located(format_source_error(where, source, message), std::move(hint));
}

} // namespace golaunch
