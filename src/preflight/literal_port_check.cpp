#include "preflight/literal_port_check.hpp"

#include "manifest/file_templates.hpp"
#include "util/regular_file.hpp"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

namespace golaunch {

namespace {

constexpr std::size_t k_max_lines_shown = 5;
constexpr std::size_t k_max_line_width = 200;

struct NamedFile {
    std::filesystem::path path;  // absolute
    std::string shown;           // relative to the project directory
    std::string argument;        // as written in the manifest
    const ServiceSpec* reader{}; // the service whose arguments name it
};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// The path an argument names, if it names one: "--config.file=x.yml" -> "x.yml", "x.yml" ->
// "x.yml"; an option without '=' and anything holding ${...} name none.
std::string path_in(const std::string& argument) {
    if (argument.find('$') != std::string::npos) {
        return {};
    }
    if (!argument.empty() && argument.front() == '-') {
        const auto equals = argument.find('=');
        return equals == std::string::npos ? std::string() : argument.substr(equals + 1);
    }
    return argument;
}

std::vector<const ServiceSpec*> selected(const Manifest& manifest,
                                         const std::vector<std::string>& services) {
    std::vector<const ServiceSpec*> out;
    if (services.empty()) {
        for (const auto& service : manifest.services) {
            out.push_back(&service);
        }
    }
    for (const auto& name : services) {
        if (const ServiceSpec* service = manifest.find_service(name)) {
            out.push_back(service);
        }
    }
    return out;
}

std::vector<NamedFile> named_files(const Manifest& manifest,
                                   const std::vector<std::string>& services) {
    std::set<std::filesystem::path> generated;
    for (const auto& service : manifest.services) {
        for (const auto& file : service.files) {
            generated.insert(project_relative_target(file.to));
        }
    }
    std::set<std::filesystem::path> seen;
    std::vector<NamedFile> out;
    for (const ServiceSpec* service : selected(manifest, services)) {
        std::vector<std::string> arguments(service->cmd.empty() ? service->cmd.begin()
                                                                : service->cmd.begin() + 1,
                                           service->cmd.end());
        arguments.insert(arguments.end(), service->args.begin(), service->args.end());
        for (const auto& argument : arguments) {
            const std::string named = path_in(argument);
            if (named.empty()) {
                continue;
            }
            const std::filesystem::path path =
                (manifest.root_dir / service->dir / named).lexically_normal();
            const std::filesystem::path inside = path.lexically_relative(manifest.root_dir);
            std::error_code error;
            if (inside.empty() || *inside.begin() == ".." || generated.count(inside) != 0 ||
                !std::filesystem::is_regular_file(path, error) || !seen.insert(path).second) {
                continue;
            }
            out.push_back({path, inside.generic_string(), argument, service});
        }
    }
    return out;
}

// Printable: control characters (but tabs) dropped, cut at k_max_line_width.
std::string shown_line(std::string_view line) {
    std::string out;
    for (const char c : line) {
        if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) {
            out += c;
        } else if (c == '\t') {
            out += c;
        }
    }
    if (out.size() > k_max_line_width) {
        out.resize(k_max_line_width);
        out += "...";
    }
    return out;
}

struct LineHit {
    int number;
    std::string text;
};

// The lines of `text` holding `number` as a whole number.
std::vector<LineHit> lines_with(const std::string& text, std::uint16_t number) {
    const std::string needle = std::to_string(number);
    std::vector<LineHit> hits;
    int line = 1;
    std::size_t line_start = 0;
    std::size_t counted_to = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) {
        const bool whole =
            (at == 0 || !is_digit(text[at - 1])) &&
            (at + needle.size() == text.size() || !is_digit(text[at + needle.size()]));
        if (!whole) {
            continue;
        }
        for (; counted_to < at; ++counted_to) {
            if (text[counted_to] == '\n') {
                ++line;
                line_start = counted_to + 1;
            }
        }
        if (!hits.empty() && hits.back().number == line) {
            continue;
        }
        const auto end = text.find('\n', line_start);
        hits.push_back({line, shown_line(std::string_view(text).substr(
                                  line_start, end == std::string::npos ? std::string::npos
                                                                       : end - line_start))});
    }
    return hits;
}

Finding literal_port_finding(const NamedFile& file, const PortMove& move,
                             const std::vector<LineHit>& hits) {
    const std::string label = move.service + "." + move.port_name;
    const std::string first = file.shown + ":" + std::to_string(hits.front().number);
    const std::string generated =
        ".golaunch/" + std::filesystem::path(file.shown).filename().string();
    Finding finding;
    finding.id = "port-literal-in-file";
    finding.severity = Severity::warning;
    finding.subject = first;
    finding.message = first + " still says " + std::to_string(move.from) + ", the port " + label +
                      " had before it moved to " + std::to_string(move.to) + " (" + file.shown +
                      " is named in the args of service " + file.reader->name + ")";
    for (std::size_t i = 0; i < hits.size() && i < k_max_lines_shown; ++i) {
        finding.evidence.push_back(file.shown + ":" + std::to_string(hits[i].number) + ": " +
                                   hits[i].text);
    }
    if (hits.size() > k_max_lines_shown) {
        finding.evidence.push_back("... and " + std::to_string(hits.size() - k_max_lines_shown) +
                                   " more lines");
    }
    finding.remedy = "generate " + file.shown +
                     " from a template with `files`: files = [{ from = \"" + file.shown +
                     ".in\", to = \"" + generated + "\" }] on service " + file.reader->name +
                     ", with ${ports." + label + "} where it says " + std::to_string(move.from) +
                     ", and name " + generated + " in its args";
    return finding;
}

} // namespace

std::vector<PortMove> port_moves(const Manifest& manifest, const PortAssignments& ports) {
    std::vector<PortMove> moves;
    for (const auto& service : manifest.services) {
        const auto assigned = ports.find(service.name);
        if (assigned == ports.end()) {
            continue;
        }
        for (const auto& port : service.ports) {
            const auto number = assigned->second.find(port.name);
            if (number != assigned->second.end() && number->second != port.number) {
                moves.push_back({service.name, port.name, port.number, number->second});
            }
        }
    }
    return moves;
}

std::vector<Finding> check_literal_ports(const Manifest& manifest,
                                         const std::vector<std::string>& services,
                                         const std::vector<PortMove>& moves) {
    std::vector<Finding> findings;
    if (moves.empty()) {
        return findings;
    }
    for (const auto& file : named_files(manifest, services)) {
        const FileContent content = read_regular_file(file.path);
        if (!content.ok() || content.bytes.find('\0') != std::string::npos) {
            continue; // unreadable or binary: not a config file we can point into
        }
        for (const auto& move : moves) {
            const auto hits = lines_with(content.bytes, move.from);
            if (!hits.empty()) {
                findings.push_back(literal_port_finding(file, move, hits));
            }
        }
    }
    return findings;
}

} // namespace golaunch
