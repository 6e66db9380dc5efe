#include "remedy/manifest_port_edit.hpp"

#include "instance/atomic_file.hpp"
#include "manifest/loader.hpp"
#include "util/error.hpp"

#include <cctype>
#include <optional>

namespace golaunch {

namespace {

struct Span {
    std::size_t begin = 0;
    std::size_t end = 0;
};

// Byte range of line `line` (1-based) in `text`, without its line ending.
std::optional<Span> line_span(const std::string& text, int line) {
    std::size_t begin = 0;
    for (int current = 1; current < line; ++current) {
        const auto newline = text.find('\n', begin);
        if (newline == std::string::npos) {
            return std::nullopt;
        }
        begin = newline + 1;
    }
    auto end = text.find('\n', begin);
    if (end == std::string::npos) {
        end = text.size();
    }
    return Span{begin, end};
}

bool word_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-' ||
           c == '+';
}

// The first run of digits in [from, span.end) that is a whole token spelling `number`.
std::optional<Span> find_number(const std::string& text, Span span, std::size_t from,
                                std::uint16_t number) {
    const std::string wanted = std::to_string(number);
    for (std::size_t i = std::max(from, span.begin); i < span.end; ++i) {
        if (text[i] == '#') {
            break; // a comment: the rest of the line is not TOML
        }
        if (text[i] == '"' || text[i] == '\'') {
            const auto close = text.find(text[i], i + 1);
            if (close == std::string::npos || close >= span.end) {
                break;
            }
            i = close;
            continue;
        }
        if (!std::isdigit(static_cast<unsigned char>(text[i])) ||
            (i > span.begin && word_char(text[i - 1]))) {
            continue;
        }
        std::size_t j = i;
        while (j < span.end && std::isdigit(static_cast<unsigned char>(text[j]))) {
            ++j;
        }
        if ((j == span.end || !word_char(text[j])) && text.compare(i, j - i, wanted) == 0) {
            return Span{i, j};
        }
        i = j;
    }
    return std::nullopt;
}

const PortSpec& find_port(const Manifest& manifest, const std::string& service,
                          const std::string& port_name) {
    const auto* spec = manifest.find_service(service);
    const auto* port = spec ? spec->find_port(port_name) : nullptr;
    if (port == nullptr) {
        throw Error("the manifest has no port " + service + "." + port_name);
    }
    return *port;
}

} // namespace

std::string replace_port_number(const std::string& text, const Manifest& manifest,
                                const std::string& service, const std::string& port_name,
                                std::uint16_t number) {
    const PortSpec& port = find_port(manifest, service, port_name);
    const auto fail = [&]() -> Error {
        return Error("cannot find the number " + std::to_string(port.number) + " of " + service +
                         "." + port_name + " at " + port.where.file + ":" +
                         std::to_string(port.where.line) + ":" + std::to_string(port.where.column),
                     ExitCode::service_failed,
                     "write it as a plain decimal number, or edit the manifest by hand and drop "
                     "--write (the override in .golaunch/ports.toml needs no edit)");
    };
    const auto line = line_span(text, port.where.line);
    if (!line) {
        throw fail();
    }
    const std::size_t column = port.where.column > 0 ? port.where.column - 1 : 0;
    auto found = find_number(text, *line, line->begin + column, port.number);
    if (!found) {
        found = find_number(text, *line, line->begin, port.number);
    }
    if (!found) {
        throw fail();
    }
    std::string edited = text;
    edited.replace(found->begin, found->end - found->begin, std::to_string(number));
    // Parse it again: the same manifest but for that one number, or we do not write it.
    const Manifest reparsed = parse_manifest(edited, manifest.path.string(), manifest.root_dir);
    Manifest expected_ports = manifest;
    for (auto& spec : expected_ports.services) {
        for (auto& candidate : spec.ports) {
            if (spec.name == service && candidate.name == port_name) {
                candidate.number = number;
            }
        }
    }
    bool same = reparsed.services.size() == expected_ports.services.size();
    for (std::size_t i = 0; same && i < reparsed.services.size(); ++i) {
        const auto& a = reparsed.services[i].ports;
        const auto& b = expected_ports.services[i].ports;
        same = a.size() == b.size();
        for (std::size_t j = 0; same && j < a.size(); ++j) {
            same = a[j].name == b[j].name && a[j].number == b[j].number;
        }
    }
    if (!same) {
        throw fail();
    }
    return edited;
}

std::string replace_port_numbers(const std::string& text, const Manifest& manifest,
                                 const std::vector<PortEdit>& edits) {
    std::string edited = text;
    Manifest current = manifest;
    for (std::size_t i = 0; i < edits.size(); ++i) {
        const auto& edit = edits[i];
        edited = replace_port_number(edited, current, edit.service, edit.port_name, edit.number);
        if (i + 1 < edits.size()) {
            current = parse_manifest(edited, manifest.path.string(), manifest.root_dir);
        }
    }
    return edited;
}

void write_port_numbers(const Manifest& manifest, const std::vector<PortEdit>& edits) {
    if (edits.empty()) {
        return;
    }
    // Through a symlink to the file it names: the link itself stays a link.
    std::error_code error;
    auto path = std::filesystem::canonical(manifest.path, error);
    if (error) {
        path = manifest.path;
    }
    const std::string text = read_whole_file(path);
    write_file_atomically(path, replace_port_numbers(text, manifest, edits));
}

void write_port_number(const Manifest& manifest, const std::string& service,
                       const std::string& port_name, std::uint16_t number) {
    write_port_numbers(manifest, {{service, port_name, number}});
}

} // namespace golaunch
