#include "platform/bind_probe.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <mutex>

namespace golaunch {

namespace {

class Socket {
  public:
    explicit Socket(int family) : m_socket(::socket(family, SOCK_STREAM, IPPROTO_TCP)) {}
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() {
        if (valid()) {
            ::closesocket(m_socket);
        }
    }
    bool valid() const { return m_socket != INVALID_SOCKET; }
    SOCKET get() const { return m_socket; }

  private:
    SOCKET m_socket;
};

void start_winsock() {
    static std::once_flag once;
    std::call_once(once, [] {
        WSADATA data{};
        ::WSAStartup(MAKEWORD(2, 2), &data); // balanced by process exit
    });
}

// Exclusive, so that a listener on the wildcard address makes the bind fail too.
bool bind_exclusive(const Socket& socket, const sockaddr* address, int length) {
    const BOOL on = TRUE;
    ::setsockopt(socket.get(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&on),
                 sizeof on);
    return ::bind(socket.get(), address, length) == 0;
}

bool can_bind_ipv4(std::uint16_t port) {
    const Socket socket(AF_INET);
    if (!socket.valid()) {
        return false;
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return bind_exclusive(socket, reinterpret_cast<const sockaddr*>(&address), sizeof address);
}

bool can_bind_ipv6(std::uint16_t port) {
    const Socket socket(AF_INET6);
    if (!socket.valid()) {
        return ::WSAGetLastError() == WSAEAFNOSUPPORT;
    }
    sockaddr_in6 address{};
    address.sin6_family = AF_INET6;
    address.sin6_addr = in6addr_loopback;
    address.sin6_port = htons(port);
    if (bind_exclusive(socket, reinterpret_cast<const sockaddr*>(&address), sizeof address)) {
        return true;
    }
    const int error = ::WSAGetLastError();
    return error == WSAEADDRNOTAVAIL || error == WSAEAFNOSUPPORT;
}

} // namespace

bool can_bind_loopback(std::uint16_t port) {
    start_winsock();
    return can_bind_ipv4(port) && can_bind_ipv6(port);
}

} // namespace golaunch
