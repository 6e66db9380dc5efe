#include "platform/file_capabilities.hpp"

namespace golaunch {

bool grants_net_bind_service(const std::filesystem::path&) {
    return false; // no file capabilities, and no privileged ports
}

} // namespace golaunch
