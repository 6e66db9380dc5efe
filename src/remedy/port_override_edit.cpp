#include "remedy/port_override_edit.hpp"

#include "instance/private_dir.hpp"

#include <algorithm>
#include <cctype>
#include <tuple>

namespace golaunch {

namespace {

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
