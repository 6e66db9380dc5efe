#include "supervise/windows_command_line.hpp"

namespace golaunch {

namespace {

bool is_blank(char c) {
    return c == ' ' || c == '\t';
}

} // namespace

std::string quote_windows_argument(const std::string& argument) {
    if (!argument.empty() && argument.find_first_of(" \t\n\v\"") == std::string::npos) {
        return argument;
    }
    std::string out = "\"";
    std::size_t backslashes = 0;
    for (const char c : argument) {
        if (c == '\\') {
            ++backslashes;
            continue;
        }
        if (c == '"') {
            out.append(backslashes * 2 + 1, '\\'); // each doubled, plus one for the quote
        } else {
            out.append(backslashes, '\\'); // not before a quote: literal
        }
        backslashes = 0;
        out += c;
    }
    out.append(backslashes * 2, '\\'); // before the closing quote: doubled
    out += '"';
    return out;
}

std::string quote_windows_program(const std::string& program) {
    if (!program.empty() && program.find_first_of(" \t") == std::string::npos) {
        return program;
    }
    return "\"" + program + "\"";
}

std::string windows_command_line(const std::string& program,
                                 const std::vector<std::string>& arguments) {
    std::string line = quote_windows_program(program);
    for (const auto& argument : arguments) {
        line += ' ';
        line += quote_windows_argument(argument);
    }
    return line;
}

std::vector<std::string> parse_windows_command_line(const std::string& line) {
    std::vector<std::string> argv;
    std::size_t i = 0;
    // argv[0]: no escapes, quotes only group.
    std::string program;
    bool quoted = false;
    for (; i < line.size() && (quoted || !is_blank(line[i])); ++i) {
        if (line[i] == '"') {
            quoted = !quoted;
        } else {
            program += line[i];
        }
    }
    argv.push_back(program);
    while (true) {
        while (i < line.size() && is_blank(line[i])) {
            ++i;
        }
        if (i >= line.size()) {
            break;
        }
        std::string argument;
        quoted = false;
        while (i < line.size() && (quoted || !is_blank(line[i]))) {
            std::size_t backslashes = 0;
            while (i < line.size() && line[i] == '\\') {
                ++backslashes;
                ++i;
            }
            if (i < line.size() && line[i] == '"') {
                argument.append(backslashes / 2, '\\');
                if (backslashes % 2 == 1) {
                    argument += '"';
                } else if (quoted && i + 1 < line.size() && line[i + 1] == '"') {
                    argument += '"'; // "" inside quotes: a literal quote, still quoted
                    ++i;
                } else {
                    quoted = !quoted;
                }
                ++i;
                continue;
            }
            argument.append(backslashes, '\\');
            if (i < line.size() && (quoted || !is_blank(line[i]))) {
                argument += line[i];
                ++i;
            }
        }
        argv.push_back(argument);
    }
    return argv;
}

} // namespace golaunch
