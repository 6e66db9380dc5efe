#include "platform/hosts_path.hpp"

namespace golaunch {

std::filesystem::path system_hosts_path() {
    return "/etc/hosts";
}

} // namespace golaunch
