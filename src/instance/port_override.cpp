#include "instance/port_override.hpp"

#include "instance/private_dir.hpp"
#include "manifest/toml_reader.hpp"
#include "util/error.hpp"

namespace golaunch {

namespace {

constexpr const char* k_display_dir = ".golaunch/ports.toml";

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

} // namespace golaunch
