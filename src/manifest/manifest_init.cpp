#include "manifest/manifest_init.hpp"

#include "manifest/names.hpp"
#include "manifest/source_error.hpp"
#include "util/strings.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace golaunch {

namespace {

// A Go string literal: its text (escapes kept as written, but \" read as ") and where it is.
struct Literal {
    std::string text;
    int line = 0;
    std::size_t begin = 0; // offset of the opening quote
    std::size_t end = 0;   // offset after the closing quote
};

// The string literals of Go source, comments and rune literals skipped.
std::vector<Literal> string_literals(std::string_view source) {
    std::vector<Literal> literals;
    int line = 1;
    std::size_t i = 0;
    const auto size = source.size();
    while (i < size) {
        const char c = source[i];
        if (c == '\n') {
            ++line;
            ++i;
        } else if (c == '/' && i + 1 < size && source[i + 1] == '/') {
            while (i < size && source[i] != '\n') {
                ++i;
            }
        } else if (c == '/' && i + 1 < size && source[i + 1] == '*') {
            i += 2;
            while (i + 1 < size && !(source[i] == '*' && source[i + 1] == '/')) {
                line += source[i] == '\n' ? 1 : 0;
                ++i;
            }
            i += 2;
        } else if (c == '\'') {
            ++i;
            while (i < size && source[i] != '\'' && source[i] != '\n') {
                i += source[i] == '\\' ? 2 : 1;
            }
            ++i;
        } else if (c == '"' || c == '`') {
            Literal literal;
            literal.line = line;
            literal.begin = i;
            ++i;
            while (i < size && source[i] != c && (c == '`' || source[i] != '\n')) {
                if (c == '"' && source[i] == '\\' && i + 1 < size) {
                    literal.text +=
                        source[i + 1] == '"' ? std::string("\"") : std::string(source.substr(i, 2));
                    i += 2;
                    continue;
                }
                line += source[i] == '\n' ? 1 : 0;
                literal.text += source[i];
                ++i;
            }
            literal.end = std::min(i + 1, size);
            i = literal.end;
            literals.push_back(std::move(literal));
        } else {
            ++i;
        }
    }
    return literals;
}

std::optional<std::uint16_t> port_number(std::string_view digits) {
    if (digits.empty() || digits.size() > 5 ||
        digits.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    const int value = std::stoi(std::string(digits));
    if (value < 1 || value > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(value);
}

// ":8080", "localhost:8080", "127.0.0.1:8080", "0.0.0.0:8080", "[::]:8080", "[::1]:8080".
std::optional<std::uint16_t> listen_address_port(const std::string& text) {
    const auto colon = text.rfind(':');
    if (colon == std::string::npos) {
        return std::nullopt;
    }
    const std::string host = text.substr(0, colon);
    if (!host.empty() && host != "localhost" && host != "127.0.0.1" && host != "0.0.0.0" &&
        host != "[::]" && host != "[::1]") {
        return std::nullopt;
    }
    return port_number(std::string_view(text).substr(colon + 1));
}

// The integer right after a literal and a comma: a flag's default (flag.Int("port", 8080, ...)).
std::optional<std::uint16_t> flag_default(std::string_view source, std::size_t after) {
    std::size_t i = after;
    const auto skip_blanks = [&] {
        while (i < source.size() && (source[i] == ' ' || source[i] == '\t')) {
            ++i;
        }
    };
    skip_blanks();
    if (i >= source.size() || source[i] != ',') {
        return std::nullopt;
    }
    ++i;
    skip_blanks();
    const auto start = i;
    while (i < source.size() && std::isdigit(static_cast<unsigned char>(source[i])) != 0) {
        ++i;
    }
    if (i == start || i >= source.size() || (source[i] != ',' && source[i] != ')')) {
        return std::nullopt;
    }
    return port_number(source.substr(start, i - start));
}

std::string lower(std::string text) {
    for (char& c : text) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
}

std::string toml_string(const std::string& text) {
    return nlohmann::json(text).dump(); // a JSON string is a TOML basic string
}

bool uses_env_port(std::string_view command) {
    for (std::size_t at = command.find("$PORT"); at != std::string_view::npos;
         at = command.find("$PORT", at + 1)) {
        const auto next = at + 5;
        if (next >= command.size() ||
            (std::isalnum(static_cast<unsigned char>(command[next])) == 0 &&
             command[next] != '_')) {
            return true;
        }
    }
    return command.find("${PORT}") != std::string_view::npos;
}

} // namespace

std::optional<PortGuess> guess_port(std::string_view source) {
    const auto make_guess = [](std::uint16_t port, int line, std::string evidence) {
        PortGuess guess;
        guess.port = port;
        guess.line = line;
        guess.evidence = std::move(evidence);
        return guess;
    };
    const auto literals = string_literals(source);
    std::optional<PortGuess> guess;
    bool reads_env_port = false;
    std::size_t env_port_end = std::string_view::npos;
    for (const auto& literal : literals) {
        const bool getenv_port = literal.text == "PORT" && literal.begin >= 7 &&
                                 source.substr(literal.begin - 7, 7) == "Getenv(";
        if (getenv_port) {
            reads_env_port = true;
            env_port_end = literal.end;
            continue;
        }
        if (guess) {
            continue;
        }
        if (const auto port = listen_address_port(literal.text)) {
            guess = make_guess(*port, literal.line, "\"" + literal.text + "\"");
            // flag.String("addr", ":8080", ...): the literal before it, then a comma, names it.
            const auto at = static_cast<std::size_t>(&literal - literals.data());
            if (at > 0) {
                const auto& name = literals[at - 1];
                const auto between = trim(source.substr(name.end, literal.begin - name.end));
                if (between == "," && name.begin > 0 && source[name.begin - 1] == '(' &&
                    !name.text.empty() && name.text.find(' ') == std::string::npos) {
                    guess->flag = name.text;
                    guess->flag_is_address = true;
                }
            }
        } else if (const auto name = lower(literal.text); name.find("port") != std::string::npos) {
            if (const auto port = flag_default(source, literal.end)) {
                guess = make_guess(*port, literal.line,
                                   "flag \"" + literal.text + "\" defaults to " +
                                       std::to_string(*port));
                guess->flag = literal.text;
            }
        } else if (env_port_end != std::string_view::npos && literal.begin - env_port_end < 300) {
            if (const auto port = port_number(literal.text); port && literal.text.size() >= 2) {
                guess =
                    make_guess(*port, literal.line, "$PORT falls back to \"" + literal.text + "\"");
            }
        }
    }
    if (!guess && reads_env_port) {
        guess = PortGuess{};
    }
    if (guess) {
        guess->reads_env_port = reads_env_port;
    }
    return guess;
}

std::string init_service_name(std::string_view path, std::vector<std::string>& taken) {
    auto base = std::string(path);
    while (!base.empty() && (base.back() == '/' || base.back() == '\\')) {
        base.pop_back();
    }
    const auto slash = base.find_last_of("/\\");
    if (slash != std::string::npos) {
        base = base.substr(slash + 1);
    }
    std::string name;
    for (const char c : base) {
        const auto u = static_cast<unsigned char>(c);
        name += std::isalnum(u) != 0 || c == '_' || c == '-' ? c : '-';
    }
    if (name.empty() || std::isalpha(static_cast<unsigned char>(name.front())) == 0) {
        name = "svc-" + name;
    }
    std::string unique = name;
    for (int n = 2; std::find(taken.begin(), taken.end(), unique) != taken.end(); ++n) {
        unique = name + "-" + std::to_string(n);
    }
    taken.push_back(unique);
    return unique;
}

std::vector<InitService> parse_procfile(std::string_view text, const std::string& file,
                                        std::uint16_t base_port) {
    std::vector<InitService> services;
    int line_number = 0;
    for (const auto& raw : split(text, '\n')) {
        ++line_number;
        std::string line = raw;
        if (!line.empty() && line.back() == '\r') {
            line.pop_back();
        }
        const auto content = trim(line);
        if (content.empty() || content.front() == '#') {
            continue;
        }
        const auto indent = static_cast<int>(line.find_first_not_of(" \t"));
        const auto colon = content.find(':');
        const auto name = std::string(content.substr(0, colon));
        const SourceLocation where{file, line_number, indent + 1};
        if (colon == std::string_view::npos || name.empty() ||
            name.find_first_not_of(
                "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") !=
                std::string::npos) {
            throw source_error(where, text, "not a Procfile line",
                               "a Procfile line is NAME: COMMAND (a # line is a comment)");
        }
        if (!is_valid_service_name(name)) {
            throw source_error(where, text, "'" + name + "' is not a golaunch service name",
                               "service names start with a letter; rename the process in " + file);
        }
        const auto command = std::string(trim(content.substr(colon + 1)));
        if (command.empty()) {
            throw source_error(
                SourceLocation{file, line_number, indent + static_cast<int>(colon) + 2}, text,
                "process '" + name + "' has no command",
                "write the command after the colon: " + name + ": COMMAND");
        }
        for (const auto& other : services) {
            if (other.name == name) {
                throw source_error(where, text, "process '" + name + "' is defined twice",
                                   "give each process of " + file + " its own name");
            }
        }
        InitService service;
        service.name = name;
        service.shell = command;
        const int port = base_port + 100 * static_cast<int>(services.size());
        if (uses_env_port(command) && port <= 65535) {
            service.port = static_cast<std::uint16_t>(port);
            service.port_comment = "$PORT, as foreman numbers it (" + std::to_string(base_port) +
                                   " + 100 per process)";
        }
        services.push_back(std::move(service));
    }
    if (services.empty()) {
        throw usage_error(file + " has no processes", "a Procfile line is NAME: COMMAND");
    }
    return services;
}

std::string render_init_manifest(const std::string& project, const std::string& schema,
                                 const std::string& origin,
                                 const std::vector<InitService>& services) {
    std::string text = "#:schema " + schema + "\n";
    text += "# Generated by `golaunch init` " + origin + ".\n";
    text += "# A port marked \"guess\" was read from the source: check it, then run "
            "`golaunch check`.\n";
    text += "version = 1\nname = " + toml_string(project) + "\n";
    for (const auto& service : services) {
        text += "\n";
        if (!service.comment.empty()) {
            text += "# " + service.comment + "\n";
        }
        text += "[services." + service.name + "]\n";
        if (!service.go_package.empty()) {
            text += "go = " + toml_string(service.go_package) + "\n";
        } else {
            std::string escaped; // golaunch reads ${...} itself; $$ leaves a $ for the shell
            for (const char c : service.shell) {
                escaped += c == '$' ? std::string("$$") : std::string(1, c);
            }
            text += "shell = " + toml_string(escaped) + "\n";
        }
        if (service.port) {
            text += "ports = { http = " + std::to_string(*service.port) + " }";
            text += service.port_comment.empty() ? "\n" : " # " + service.port_comment + "\n";
        }
        if (!service.args_hint.empty()) {
            text += "# " + service.args_hint + "\n";
        }
    }
    return text;
}

} // namespace golaunch
