#include "platform/hosts_path.hpp"

#include "platform/admin_commands.hpp"

namespace golaunch {

std::filesystem::path system_hosts_path() {
    return "/etc/hosts";
}

std::string hosts_edit_hint(const std::filesystem::path& hosts_file) {
    return rerun_elevated_hint("golaunch fix --hosts-file " + hosts_file.string());
}

} // namespace golaunch
