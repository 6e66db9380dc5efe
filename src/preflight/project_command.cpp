#include "preflight/project_command.hpp"

#include "manifest/loader.hpp"
#include "platform/hosts_path.hpp"
#include "util/strings.hpp"

#include <system_error>

namespace golaunch {

std::string project_command(const std::string& verb, const Manifest& manifest,
                            const std::filesystem::path& hosts_path) {
    std::string command = "golaunch " + verb;
    if (!manifest.path.empty()) {
        bool is_default = false;
        try {
            std::error_code error;
            is_default = std::filesystem::equivalent(
                manifest.path, default_manifest_path(std::filesystem::current_path()), error);
        } catch (const std::exception&) {
            is_default = false; // no manifest here: name it
        }
        if (!is_default) {
            command += " " + shell_quote(manifest.path.string());
        }
    }
    if (!hosts_path.empty() && hosts_path != system_hosts_path()) {
        command += " --hosts-file " + shell_quote(hosts_path.string());
    }
    return command;
}

} // namespace golaunch
