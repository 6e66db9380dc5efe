#include "cli/manifest_args.hpp"

#include "manifest/loader.hpp"
#include "platform/hosts_path.hpp"
#include "preflight/override_check.hpp"
#include "preflight/project_command.hpp"

#include <filesystem>

namespace golaunch {

ManifestPathArgs split_manifest_args(const std::vector<std::string>& positionals) {
    ManifestPathArgs out;
    out.services = positionals;
    if (!out.services.empty()) {
        const std::string& first = out.services.front();
        std::error_code ignored;
        const bool looks_like_file = first.size() > 5 && first.substr(first.size() - 5) == ".toml";
        if (looks_like_file || std::filesystem::is_regular_file(first, ignored)) {
            out.manifest = first;
            out.services.erase(out.services.begin());
        }
    }
    if (out.manifest.empty()) {
        out.manifest = default_manifest_path(std::filesystem::current_path());
    }
    return out;
}

ManifestArgs load_manifest_args(const std::vector<std::string>& positionals,
                                const std::string& hosts_file) {
    ManifestArgs out;
    auto split = split_manifest_args(positionals);
    out.manifest = load_manifest(split.manifest);
    out.services = std::move(split.services);
    out.overrides = read_port_overrides(port_override_path(out.manifest.root_dir));
    const std::string fix_command = project_command(
        "fix", out.manifest,
        hosts_file.empty() ? system_hosts_path() : std::filesystem::path(hosts_file));
    out.override_findings = apply_port_overrides(out.manifest, out.overrides, fix_command);
    return out;
}

} // namespace golaunch
