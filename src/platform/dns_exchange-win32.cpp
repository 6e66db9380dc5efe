// The UDP side of the resolution probe on Windows: connected Winsock datagram sockets,
// non-blocking, awaited with select(). An ICMP port-unreachable shows as WSAECONNRESET (or
// WSAECONNREFUSED under Wine) on the next recv: the server refused.
#include "platform/dns_exchange.hpp"
#include "platform/socket_address.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <random>
#include <utility>

namespace golaunch {

namespace {

struct WinsockSession {
    WinsockSession() {
        WSADATA data{};
        m_ok = ::WSAStartup(MAKEWORD(2, 2), &data) == 0;
    }
    ~WinsockSession() {
        if (m_ok) {
            ::WSACleanup();
        }
    }
    WinsockSession(const WinsockSession&) = delete;
    WinsockSession& operator=(const WinsockSession&) = delete;

  private:
    bool m_ok = false;
};

class Socket {
  public:
    Socket() = default;
    explicit Socket(SOCKET socket) : m_socket(socket) {}
    Socket(Socket&& other) noexcept : m_socket(std::exchange(other.m_socket, INVALID_SOCKET)) {}
    Socket& operator=(Socket&& other) noexcept {
        std::swap(m_socket, other.m_socket);
        return *this;
    }
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;
    ~Socket() {
        if (valid()) {
            ::closesocket(m_socket);
        }
    }
    SOCKET get() const { return m_socket; }
    bool valid() const { return m_socket != INVALID_SOCKET; }

  private:
    SOCKET m_socket = INVALID_SOCKET;
};

struct Query {
    DnsQuery result;
    Socket socket;
};

bool refused(int error) {
    return error == WSAECONNRESET || error == WSAECONNREFUSED;
}

Socket connected_socket(const std::string& address, std::uint16_t port) {
    sockaddr_storage storage{};
    const int length = make_socket_address(address, port, storage);
    if (length == 0) {
        return {};
    }
    Socket socket(::socket(storage.ss_family, SOCK_DGRAM, IPPROTO_UDP));
    u_long non_blocking = 1;
    if (!socket.valid() || ::ioctlsocket(socket.get(), FIONBIO, &non_blocking) != 0 ||
        ::connect(socket.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
        return {};
    }
    return socket;
}

std::uint16_t random_id() {
    thread_local std::mt19937 generator{std::random_device{}()};
    return static_cast<std::uint16_t>(generator());
}

// Reads what arrived on a query's socket: its reply, an ICMP refusal, or nothing yet.
void receive(Query& entry) {
    DnsQuery& query = entry.result;
    char buffer[1500];
    while (true) {
        const int n = ::recv(entry.socket.get(), buffer, sizeof buffer, 0);
        if (n < 0) {
            if (refused(::WSAGetLastError())) {
                query.state = QueryState::refused;
            }
            return; // WSAEWOULDBLOCK: nothing (more) yet
        }
        const auto reply = decode_dns_reply(reinterpret_cast<const std::uint8_t*>(buffer),
                                            static_cast<std::size_t>(n));
        if (!reply || reply->id != query.id) {
            continue; // not ours: keep waiting, like Go
        }
        query.reply = *reply;
        query.state = reply->rcode == 0                  ? QueryState::answered
                      : reply->rcode == k_rcode_nxdomain ? QueryState::nxdomain
                                                         : QueryState::error_reply;
        return;
    }
}

Query send_query(const std::string& server, std::uint16_t port, const std::string& fqdn,
                 DnsType type) {
    Query entry;
    entry.result.type = type;
    entry.result.id = random_id();
    entry.socket = connected_socket(server, port);
    const auto packet = encode_dns_query(entry.result.id, fqdn, type);
    if (!entry.socket.valid() || packet.empty()) {
        return entry;
    }
    const int size = static_cast<int>(packet.size());
    if (::send(entry.socket.get(), reinterpret_cast<const char*>(packet.data()), size, 0) == size) {
        entry.result.state = QueryState::waiting;
    } else if (refused(::WSAGetLastError())) {
        entry.result.state = QueryState::refused;
    }
    return entry;
}

} // namespace

std::vector<DnsQuery> exchange_dns_queries(const std::string& server, std::uint16_t port,
                                           const std::string& fqdn,
                                           std::chrono::steady_clock::time_point until) {
    static const WinsockSession winsock;
    using Clock = std::chrono::steady_clock;
    std::vector<Query> queries;
    for (const auto type : {DnsType::a, DnsType::aaaa}) {
        queries.push_back(send_query(server, port, fqdn, type));
    }
    while (true) {
        fd_set readable;
        FD_ZERO(&readable);
        for (auto& entry : queries) {
            if (entry.result.state == QueryState::waiting) {
                FD_SET(entry.socket.get(), &readable);
            }
        }
        const auto left = std::chrono::ceil<std::chrono::microseconds>(until - Clock::now());
        if (readable.fd_count == 0 || left.count() <= 0) {
            break;
        }
        timeval timeout{static_cast<long>(left.count() / 1000000),
                        static_cast<long>(left.count() % 1000000)};
        if (::select(0, &readable, nullptr, nullptr, &timeout) == SOCKET_ERROR) {
            break;
        }
        for (auto& entry : queries) {
            if (entry.result.state == QueryState::waiting &&
                FD_ISSET(entry.socket.get(), &readable)) {
                receive(entry);
            }
        }
    }
    std::vector<DnsQuery> results;
    for (auto& entry : queries) {
        results.push_back(std::move(entry.result));
    }
    return results;
}

} // namespace golaunch
