#include "platform/bind_probe.hpp"

#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>

namespace golaunch {

namespace {

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

} // namespace

bool can_bind_loopback(std::uint16_t port) {
    return can_bind_ipv4(port) && can_bind_ipv6(port);
}

} // namespace golaunch
