// Free-port search: the socket table first (every family and state but TIME-WAIT, since a
// test bind alone misses e.g. a listener on another address), then test binds on 127.0.0.1 and
// ::1 with SO_REUSEADDR, as Go's net.Listen sets it, so TIME-WAIT leftovers do not matter.
#include "platform/port_finder.hpp"

#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

namespace golaunch {

namespace {

constexpr std::uint16_t k_lowest_unprivileged = 1024;
constexpr int k_max_bind_attempts = 512;

bool uses_port(const SocketEntry& entry) {
    return entry.state != SocketState::time_wait;
}

UniqueFd reusable_socket(int family) {
    UniqueFd fd(::socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (fd.valid()) {
        const int on = 1;
        ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        if (family == AF_INET6) {
            ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
        }
    }
    return fd;
}

bool can_bind_ipv4(std::uint16_t port) {
    const UniqueFd fd = reusable_socket(AF_INET);
    if (!fd.valid()) {
        return false;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0;
}

// Without IPv6 (no ::1, or no IPv6 at all) there is nothing to collide with.
bool can_bind_ipv6(std::uint16_t port) {
    const UniqueFd fd = reusable_socket(AF_INET6);
    if (!fd.valid()) {
        return errno == EAFNOSUPPORT;
    }
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    address.sin6_port = htons(port);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) == 0) {
        return true;
    }
    return errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT;
}

bool can_bind(std::uint16_t port) {
    return can_bind_ipv4(port) && can_bind_ipv6(port);
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
    return can_bind(port);
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
