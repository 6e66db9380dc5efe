// Where the platform keeps its hosts file.
#pragma once

#include <filesystem>

namespace golaunch {

// /etc/hosts on Linux (one file per platform: hosts_path-linux.cpp, hosts_path-win32.cpp).
std::filesystem::path system_hosts_path();

} // namespace golaunch
