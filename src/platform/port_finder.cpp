// Free-port search: the socket table first (every family and state but TIME-WAIT, since a
// test bind alone misses e.g. a listener on another address), then test binds on 127.0.0.1 and
// ::1 (platform/bind_probe.hpp: on Windows they also catch excluded port ranges).
#include "platform/port_finder.hpp"

#include "platform/bind_probe.hpp"

namespace golaunch {

namespace {

constexpr std::uint16_t k_lowest_unprivileged = 1024;
constexpr int k_max_bind_attempts = 512;

bool uses_port(const SocketEntry& entry) {
    return entry.state != SocketState::time_wait;
}

} // namespace

bool port_is_free(const SocketTable& table, std::uint16_t port) {
    if (port == 0) {
        return false;
    }
    SocketQuery query;
    query.local_port = port;
    for (const auto& entry : table.query(query)) {
        if (uses_port(entry)) {
            return false;
        }
    }
    return can_bind_loopback(port);
}

std::optional<std::uint16_t> next_free_port(const SocketTable& table, std::uint16_t start,
                                            const std::set<std::uint16_t>& avoid) {
    // One full read of the table rules most ports out cheaply; each candidate is then
    // confirmed with port_is_free (a fresh look at that port plus the test binds).
    std::set<std::uint16_t> used;
    for (const auto& entry : table.query(SocketQuery{})) {
        if (uses_port(entry)) {
            used.insert(entry.local_port);
        }
    }
    int bind_attempts = 0;
    const auto try_port = [&](std::uint32_t port) -> bool {
        const auto candidate = static_cast<std::uint16_t>(port);
        if (avoid.contains(candidate) || used.contains(candidate)) {
            return false;
        }
        ++bind_attempts;
        return port_is_free(table, candidate);
    };
    for (std::uint32_t port = std::uint32_t{start} + 1;
         port <= 65535 && bind_attempts < k_max_bind_attempts; ++port) {
        if (try_port(port)) {
            return static_cast<std::uint16_t>(port);
        }
    }
    for (std::uint32_t port = k_lowest_unprivileged;
         port < start && bind_attempts < k_max_bind_attempts; ++port) {
        if (try_port(port)) {
            return static_cast<std::uint16_t>(port);
        }
    }
    return std::nullopt;
}

} // namespace golaunch
