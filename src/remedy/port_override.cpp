#include "remedy/port_override.hpp"

#include "instance/private_dir.hpp"
#include "manifest/toml_reader.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace golaunch {

namespace {

constexpr const char* k_display_dir = ".golaunch/ports.toml";

constexpr const char* k_header =
    "# Port overrides for this directory's manifest, written by `golaunch fix`.\n"
    "# `golaunch run` and `golaunch check` use these numbers instead of the manifest's.\n"
    "# Delete a line (or the file) to go back to the manifest's port.\n";

std::string bare_key(const std::string& key) {
    const bool bare = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_';
    });
    if (bare) {
        return key;
    }
    std::string quoted = "\"";
    for (const char c : key) {
        if (c == '"' || c == '\\') {
            quoted += '\\';
        }
        quoted += c;
    }
    return quoted + "\"";
}

} // namespace

std::filesystem::path port_override_path(const std::filesystem::path& root_dir) {
    return root_dir / ".golaunch" / "ports.toml";
}

std::vector<PortOverride> read_port_overrides(const std::filesystem::path& file) {
    const auto content = read_private_file(file);
    if (!content) {
        return {};
    }
    const std::string& text = *content;
    const TomlDocument doc(text, file.string());
    const std::string hint = "this file is written by `golaunch fix`: correct the line or delete "
                             "the file to use the manifest's ports";
    std::vector<PortOverride> overrides;
    try {
        const toml::table root = doc.parse();
        check_keys(doc, root, {"ports"}, "in " + std::string(k_display_dir));
        const toml::node* ports = root.get("ports");
        if (ports == nullptr) {
            return {};
        }
        for (const auto& service : entries_in_order(read_table(doc, "ports", *ports))) {
            const std::string service_name(service.key->str());
            const auto& table = read_table(doc, "ports." + service_name, *service.node);
            for (const auto& port : entries_in_order(table)) {
                const std::string key =
                    "ports." + service_name + "." + std::string(port.key->str());
                const std::int64_t number = read_integer(doc, key, *port.node);
                if (number < 1 || number > 65535) {
                    doc.fail(doc.where(*port.node), "'" + key +
                                                        "' must be between 1 and 65535, not " +
                                                        std::to_string(number));
                }
                overrides.push_back({service_name, std::string(port.key->str()),
                                     static_cast<std::uint16_t>(number), doc.where(*port.node)});
            }
        }
    } catch (const Error& e) {
        throw Error::located(e.what(), e.hint().empty() ? hint : e.hint() + "; " + hint);
    }
    return overrides;
}

std::vector<Finding> apply_port_overrides(Manifest& manifest,
                                          const std::vector<PortOverride>& overrides) {
    std::vector<Finding> findings;
    for (const auto& entry : overrides) {
        const std::string label = entry.service + "." + entry.port_name;
        const std::string where = entry.where.file + ":" + std::to_string(entry.where.line) + ":" +
                                  std::to_string(entry.where.column);
        PortSpec* port = nullptr;
        for (auto& service : manifest.services) {
            if (service.name != entry.service) {
                continue;
            }
            for (auto& candidate : service.ports) {
                if (candidate.name == entry.port_name) {
                    port = &candidate;
                }
            }
        }
        if (port == nullptr) {
            Finding finding;
            finding.id = "port-override-unknown";
            finding.severity = Severity::warning;
            finding.subject = label;
            finding.message = "port override for " + label + " ignored: the manifest has no such " +
                              (manifest.find_service(entry.service) ? "port" : "service");
            finding.evidence = {where + ": " + entry.port_name + " = " +
                                std::to_string(entry.number)};
            finding.remedy = "delete that line from " + std::string(k_display_dir);
            findings.push_back(std::move(finding));
            continue;
        }
        if (port->number == entry.number) {
            continue;
        }
        Finding finding;
        finding.id = "port-override";
        finding.severity = Severity::info;
        finding.subject = label + " :" + std::to_string(entry.number);
        finding.message = label + " uses " + std::to_string(entry.number) + " instead of " +
                          std::to_string(port->number) + ": port override from " + k_display_dir;
        finding.evidence = {where};
        finding.remedy = "delete the line to use " + std::to_string(port->number) +
                         " again, or `golaunch fix --write` to put the number in the manifest";
        findings.push_back(std::move(finding));
        port->number = entry.number;
    }
    return findings;
}

void write_port_overrides(const std::filesystem::path& file,
                          const std::vector<PortOverride>& overrides) {
    if (overrides.empty()) {
        remove_private_file(file);
        return;
    }
    auto sorted = overrides;
    std::sort(sorted.begin(), sorted.end(), [](const PortOverride& a, const PortOverride& b) {
        return std::tie(a.service, a.port_name) < std::tie(b.service, b.port_name);
    });
    std::string text = k_header;
    std::string current;
    for (const auto& entry : sorted) {
        if (entry.service != current || &entry == &sorted.front()) {
            text += "\n[ports." + bare_key(entry.service) + "]\n";
            current = entry.service;
        }
        text += bare_key(entry.port_name) + " = " + std::to_string(entry.number) + "\n";
    }
    write_private_file(file, text);
}

std::vector<PortOverride> with_override(std::vector<PortOverride> overrides,
                                        const std::string& service, const std::string& port_name,
                                        std::uint16_t number) {
    for (auto& entry : overrides) {
        if (entry.service == service && entry.port_name == port_name) {
            entry.number = number;
            return overrides;
        }
    }
    overrides.push_back({service, port_name, number, {}});
    return overrides;
}

std::vector<PortOverride> without_override(std::vector<PortOverride> overrides,
                                           const std::string& service,
                                           const std::string& port_name) {
    std::erase_if(overrides, [&](const PortOverride& entry) {
        return entry.service == service && entry.port_name == port_name;
    });
    return overrides;
}

} // namespace golaunch
