// Which processes hold a socket, on Windows: the socket table already names the owner, and the
// inode stand-in carries it (socket_table-win32.cpp: owner pid << 32 | endpoint hash).
#include "platform/process_info.hpp"

namespace golaunch {

std::map<std::uint64_t, std::vector<pid_t>>
find_socket_owners(const std::set<std::uint64_t>& inodes, int* /*denied*/) {
    std::map<std::uint64_t, std::vector<pid_t>> owners;
    for (const std::uint64_t key : inodes) {
        const auto pid = static_cast<pid_t>(key >> 32);
        if (pid > 0) {
            owners[key].push_back(pid);
        }
    }
    return owners;
}

} // namespace golaunch
