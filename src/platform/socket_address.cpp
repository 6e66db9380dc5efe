#include "platform/socket_address.hpp"

#include "platform/net_config.hpp"

#ifdef _WIN32
#include <winsock2.h>
#include <ws2tcpip.h>
#else
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#endif

namespace golaunch {

int make_socket_address(const std::string& address, std::uint16_t port, sockaddr_storage& storage) {
    storage = sockaddr_storage{};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        return static_cast<int>(sizeof *v4);
    }
    if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        return static_cast<int>(sizeof *v6);
    }
    return 0;
}

std::string canonical_ip(const std::string& address) {
    char text[INET6_ADDRSTRLEN] = {};
    in_addr v4{};
    in6_addr v6{};
    if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) {
        return ::inet_ntop(AF_INET, &v4, text, sizeof text) ? text : "";
    }
    if (::inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
        return ::inet_ntop(AF_INET6, &v6, text, sizeof text) ? text : "";
    }
    return "";
}

} // namespace golaunch
