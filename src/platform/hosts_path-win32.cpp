#include "platform/hosts_path.hpp"

#include "platform/admin_commands.hpp"

#include <cstdlib>

namespace golaunch {

std::filesystem::path system_hosts_path() {
    const char* root = std::getenv("SystemRoot");
    const std::filesystem::path system_root =
        root != nullptr && *root != '\0' ? root : "C:\\Windows";
    return system_root / "System32" / "drivers" / "etc" / "hosts";
}

std::string hosts_edit_hint(const std::filesystem::path& hosts_file) {
    return rerun_elevated_hint("golaunch fix --hosts-file " + hosts_file.string());
}

} // namespace golaunch
