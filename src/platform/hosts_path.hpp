// Where the platform keeps its hosts file.
#pragma once

#include <filesystem>
#include <string>

namespace golaunch {

// /etc/hosts on Linux, %SystemRoot%\System32\drivers\etc\hosts on Windows (one file per
// platform: hosts_path-linux.cpp, hosts_path-win32.cpp).
std::filesystem::path system_hosts_path();

// What to tell a person whose edit of `hosts_file` was refused for lack of rights
// ("run it as root: sudo golaunch fix ...", or an Administrator terminal on Windows).
std::string hosts_edit_hint(const std::filesystem::path& hosts_file);

} // namespace golaunch
