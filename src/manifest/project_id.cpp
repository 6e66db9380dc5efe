#include "manifest/project_id.hpp"

#include <cstdint>
#include <cstdio>

namespace golaunch {

std::string project_id(const std::filesystem::path& manifest_path) {
    const std::string text = std::filesystem::absolute(manifest_path).lexically_normal().string();
    std::uint64_t hash = 14695981039346656037ULL;
    for (const unsigned char byte : text) {
        hash = (hash ^ byte) * 1099511628211ULL;
    }
    char id[17];
    std::snprintf(id, sizeof id, "%016llx", static_cast<unsigned long long>(hash));
    return id;
}

} // namespace golaunch
