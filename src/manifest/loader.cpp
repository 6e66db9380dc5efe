#include "manifest/loader.hpp"

#include "manifest/env_file.hpp"
#include "manifest/file_templates.hpp"
#include "manifest/manifest_checks.hpp"
#include "manifest/names.hpp"
#include "manifest/policy_reader.hpp"
#include "manifest/service_reader.hpp"
#include "manifest/source_error.hpp"
#include "manifest/text_file.hpp"
#include "manifest/toml_reader.hpp"
#include "util/error.hpp"
#include "util/regular_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <system_error>

namespace golaunch {

namespace {

constexpr const char* k_manifest_hint = "run golaunch in the directory that holds golaunch.toml "
                                        "or app.toml, or name the manifest";

const std::vector<std::string> k_top_level_keys = {"version", "name", "defaults", "hosts",
                                                   "services"};

// The directory's name, without surrounding blanks (it marks the hosts-file block, whose
// markers are read trimmed).
std::string default_project_name(const std::filesystem::path& root_dir) {
    std::filesystem::path dir = root_dir;
    if (!dir.has_filename()) {
        dir = dir.parent_path();
    }
    const std::string name(trim(dir.filename().string()));
    return name.empty() ? "golaunch" : name;
}

void read_version(const TomlDocument& doc, const toml::node& node, Manifest& manifest) {
    const std::int64_t version = read_integer(doc, "version", node);
    if (version != 1) {
        doc.fail(doc.where(node), "unsupported manifest version " + std::to_string(version),
                 "this golaunch reads version = 1");
    }
    manifest.version = 1;
}

void read_name(const TomlDocument& doc, const toml::node& node, Manifest& manifest) {
    const std::string name = read_string(doc, "name", node);
    const bool printable = std::none_of(name.begin(), name.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
    if (trim(name).empty() || !printable) {
        doc.fail(doc.where(node), "'name' must be a non-empty single line");
    }
    // The hosts-file block is marked "# BEGIN golaunch NAME", and markers are read trimmed.
    if (name.front() == ' ' || name.back() == ' ') {
        doc.fail(doc.where(node), "'name' must not start or end with a space",
                 "the name marks the project's block in the hosts file; write name = \"" +
                     std::string(trim(name)) + "\"");
    }
    manifest.name = name;
}

void read_defaults(const TomlDocument& doc, const toml::node& node, Defaults& defaults) {
    const toml::table& table = read_table(doc, "defaults", node);
    check_keys(doc, table, policy_keys(), "in [defaults]");
    for (const auto& entry : entries_in_order(table)) {
        read_policy_key(doc, std::string(entry.key->str()), *entry.node, "defaults", defaults);
    }
}

void read_hosts(const TomlDocument& doc, const toml::node& node, Manifest& manifest) {
    for (const auto& entry : entries_in_order(read_table(doc, "hosts", node))) {
        const std::string name(entry.key->str());
        if (!is_valid_hostname(name)) {
            doc.fail(doc.where(*entry.key), "invalid host name '" + name + "'",
                     "use letters, digits and '-' in dot-separated labels, e.g. api.shop.test");
        }
        const auto* address = entry.node->as_string();
        if (address == nullptr) {
            doc.fail(doc.where(*entry.node),
                     "host '" + name + "' must map to an address string, not " +
                         type_phrase(*entry.node),
                     "e.g. \"" + name + "\" = \"127.0.0.1\"");
        }
        if (!is_ip_address(address->get())) {
            doc.fail(doc.where(*entry.node),
                     "invalid address '" + address->get() + "' for host '" + name + "'",
                     "write an IPv4 or IPv6 address, e.g. 127.0.0.1 or ::1");
        }
        manifest.hosts.push_back({name, address->get(), doc.where(*entry.key)});
    }
}

std::vector<ServiceSources> read_services(const TomlDocument& doc, const toml::table& root,
                                          Manifest& manifest) {
    const std::string hint = "add a [services.NAME] table with go, cmd or shell";
    const toml::node* node = root.get("services");
    if (node == nullptr) {
        doc.fail(doc.nowhere(), "no services defined", hint);
    }
    const toml::table& table = read_table(doc, "services", *node);
    if (table.empty()) {
        doc.fail(doc.where(*node), "no services defined", hint);
    }
    const auto entries = entries_in_order(table);
    if (entries.size() > k_max_services) {
        doc.fail(doc.where(*entries[k_max_services].key),
                 "too many services: " + std::to_string(entries.size()) + " (the limit is " +
                     std::to_string(k_max_services) + ")",
                 "golaunch supervises at most " + std::to_string(k_max_services) +
                     " services per manifest; split the project into several manifests");
    }
    std::vector<ServiceSources> sources;
    for (const auto& entry : entries) {
        ServiceRead read = read_service(doc, *entry.key, *entry.node, manifest.defaults);
        manifest.services.push_back(std::move(read.spec));
        sources.push_back(std::move(read.sources));
    }
    return sources;
}

// Every env_file must be a readable regular file of KEY=VALUE lines: found now, located at its
// `env_file` key (a mistake inside it: at its line and column), rather than when the service
// starts (or never, for a FIFO).
void check_env_files(const Manifest& manifest, std::string_view text) {
    for (const auto& service : manifest.services) {
        if (service.env_file.empty()) {
            continue;
        }
        const std::filesystem::path path = manifest.root_dir / service.env_file;
        const FileContent file = read_regular_file(path);
        if (!file.ok()) {
            std::error_code error;
            const bool missing =
                !std::filesystem::exists(std::filesystem::symlink_status(path, error));
            std::string named = "'" + service.env_file + "'";
            if (std::filesystem::path(service.env_file).is_relative()) {
                named += " (" + path.lexically_normal().string() + ")";
            }
            throw source_error(service.env_file_where, text,
                               "cannot read env_file " + named + " of service '" + service.name +
                                   "': " + file.problem,
                               missing ? "create the file or remove env_file from the manifest"
                                       : "env_file must name a regular file of KEY=VALUE lines, "
                                         "at most 16 MiB, relative to the manifest");
        }
        try {
            (void)parse_env_file(file.bytes, path.lexically_normal().string());
        } catch (const Error& error) { // located in the env_file; the hint says whose it is
            throw Error::located(error.what(), "env_file of service '" + service.name + "' (" +
                                                   describe_location(service.env_file_where) +
                                                   "): " + error.hint());
        }
    }
}

} // namespace

Manifest parse_manifest(std::string_view text, const std::string& display_name,
                        const std::filesystem::path& root_dir) {
    const TomlDocument doc(text, display_name);
    const toml::table root = doc.parse();
    check_keys(doc, root, k_top_level_keys, "at the top level");

    Manifest manifest;
    manifest.path = display_name;
    manifest.root_dir = root_dir;
    manifest.name = default_project_name(root_dir);
    if (const auto* node = root.get("version")) {
        read_version(doc, *node, manifest);
    }
    if (const auto* node = root.get("name")) {
        read_name(doc, *node, manifest);
    }
    if (const auto* node = root.get("defaults")) {
        read_defaults(doc, *node, manifest.defaults);
    }
    if (const auto* node = root.get("hosts")) {
        read_hosts(doc, *node, manifest);
    }
    const auto sources = read_services(doc, root, manifest);
    check_manifest(doc, manifest, sources);
    return manifest;
}

Manifest load_manifest(const std::filesystem::path& path) {
    const std::string text = read_text_file(path, k_manifest_hint);
    const auto root_dir = std::filesystem::absolute(path).parent_path().lexically_normal();
    Manifest manifest = parse_manifest(text, path.string(), root_dir);
    manifest.path = path;
    check_env_files(manifest, text);
    check_file_templates(manifest, text);
    return manifest;
}

std::filesystem::path default_manifest_path(const std::filesystem::path& dir) {
    const bool here = dir.empty() || dir == ".";
    for (const char* name : {"golaunch.toml", "app.toml"}) {
        const std::filesystem::path candidate = here ? std::filesystem::path(name) : dir / name;
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) {
            return candidate;
        }
    }
    throw usage_error("no golaunch.toml or app.toml in " + (here ? std::string(".") : dir.string()),
                      k_manifest_hint);
}

} // namespace golaunch
