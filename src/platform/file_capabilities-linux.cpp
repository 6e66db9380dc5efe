#include "platform/file_capabilities.hpp"

#include <endian.h>
#include <linux/capability.h>
#include <sys/xattr.h>

#include <cstdint>
#include <cstring>

namespace golaunch {

bool grants_net_bind_service(const std::filesystem::path& executable) {
    // struct vfs_cap_data (v2) or vfs_ns_cap_data (v3), little-endian: magic_etc, then
    // {permitted, inheritable} per 32 capabilities.
    unsigned char raw[sizeof(vfs_ns_cap_data)] = {};
    const ssize_t length = ::getxattr(executable.c_str(), "security.capability", raw, sizeof raw);
    if (length < static_cast<ssize_t>(XATTR_CAPS_SZ_2)) {
        return false; // none, unreadable, or the 32-bit v1 format (no longer written)
    }
    std::uint32_t magic = 0;
    std::uint32_t permitted = 0;
    std::memcpy(&magic, raw, sizeof magic);
    std::memcpy(&permitted, raw + sizeof magic, sizeof permitted);
    magic = le32toh(magic);
    permitted = le32toh(permitted);
    const std::uint32_t revision = magic & VFS_CAP_REVISION_MASK;
    if (revision != VFS_CAP_REVISION_2 && revision != VFS_CAP_REVISION_3) {
        return false;
    }
    return (magic & VFS_CAP_FLAGS_EFFECTIVE) != 0 &&
           (permitted & (1U << CAP_NET_BIND_SERVICE)) != 0;
}

} // namespace golaunch
