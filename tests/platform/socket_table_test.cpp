#include "platform/socket_table.hpp"

#include "support/test_support.hpp"
#include "util/unique_fd.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <optional>

namespace golaunch {
namespace {

struct BoundSocket {
    UniqueFd fd;
    std::uint16_t port = 0;
    std::uint64_t inode = 0;
};

std::uint64_t inode_of(int fd) {
    struct stat info {};
    return ::fstat(fd, &info) == 0 ? info.st_ino : 0;
}

// Binds (and for TCP, listens) on loopback, port 0 unless given. nullopt when the family
// is unavailable (no ::1).
std::optional<BoundSocket> bind_loopback(int family, int type, std::uint16_t port = 0) {
    BoundSocket bound;
    bound.fd = UniqueFd(::socket(family, type | SOCK_CLOEXEC, 0));
    if (!bound.fd.valid()) {
        return std::nullopt;
    }
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (family == AF_INET) {
        auto* address = reinterpret_cast<sockaddr_in*>(&storage);
        address->sin_family = AF_INET;
        address->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address->sin_port = htons(port);
        length = sizeof(sockaddr_in);
    } else {
        auto* address = reinterpret_cast<sockaddr_in6*>(&storage);
        address->sin6_family = AF_INET6;
        address->sin6_addr = in6addr_loopback;
        address->sin6_port = htons(port);
        length = sizeof(sockaddr_in6);
    }
    if (::bind(bound.fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
        return std::nullopt;
    }
    if (type == SOCK_STREAM && ::listen(bound.fd.get(), 16) != 0) {
        return std::nullopt;
    }
    ::getsockname(bound.fd.get(), reinterpret_cast<sockaddr*>(&storage), &length);
    bound.port = ntohs(family == AF_INET ? reinterpret_cast<sockaddr_in*>(&storage)->sin_port
                                         : reinterpret_cast<sockaddr_in6*>(&storage)->sin6_port);
    bound.inode = inode_of(bound.fd.get());
    return bound;
}

std::vector<SocketEntry> on_port(std::uint16_t port, bool listening_only = false) {
    SocketQuery query;
    query.local_port = port;
    query.listening_only = listening_only;
    return system_socket_table().query(query);
}

// The rows of one socket of ours. Another process's socket can have the same port number: a UDP
// one, or a TCP one on the other loopback family (127.0.0.1:P and [::1]:P do not conflict); a
// stress run saw two rows for a [::1] listener's port. Each socket of ours must be one row.
std::vector<SocketEntry> rows_of(std::vector<SocketEntry> entries, std::uint64_t inode) {
    std::erase_if(entries, [&](const SocketEntry& entry) { return entry.inode != inode; });
    return entries;
}

TEST(SocketTable, ListsIpv4ListenerWithPortAndInode) {
    auto listener = bind_loopback(AF_INET, SOCK_STREAM);
    ASSERT_TRUE(listener);
    const auto entries = rows_of(on_port(listener->port), listener->inode);
    ASSERT_EQ(entries.size(), 1u);
    const auto& entry = entries.front();
    EXPECT_EQ(entry.protocol, Protocol::tcp);
    EXPECT_EQ(entry.family, AddressFamily::ipv4);
    EXPECT_EQ(entry.state, SocketState::listen);
    EXPECT_EQ(entry.local_address, "127.0.0.1");
    EXPECT_EQ(entry.local_port, listener->port);
    EXPECT_EQ(entry.inode, listener->inode);
    EXPECT_EQ(entry.uid, ::getuid());
    EXPECT_STREQ(to_string(entry.state), "LISTEN");
}

TEST(SocketTable, ListsIpv6LoopbackListener) {
    auto listener = bind_loopback(AF_INET6, SOCK_STREAM);
    if (!listener) {
        GTEST_SKIP() << "::1 is not available here";
    }
    const auto entries = rows_of(on_port(listener->port), listener->inode);
    ASSERT_EQ(entries.size(), 1u);
    EXPECT_EQ(entries[0].family, AddressFamily::ipv6);
    EXPECT_EQ(entries[0].local_address, "::1");
    EXPECT_EQ(entries[0].local_port, listener->port);
    EXPECT_EQ(entries[0].inode, listener->inode);
    EXPECT_EQ(entries[0].state, SocketState::listen);
}

TEST(SocketTable, PortFilterReturnsOnlyThatPort) {
    auto first = bind_loopback(AF_INET, SOCK_STREAM);
    auto second = bind_loopback(AF_INET, SOCK_STREAM);
    ASSERT_TRUE(first && second);
    const auto entries = on_port(first->port);
    ASSERT_FALSE(entries.empty());
    for (const auto& entry : entries) {
        EXPECT_EQ(entry.local_port, first->port);
        EXPECT_NE(entry.inode, second->inode);
    }
    const auto all = system_socket_table().query(SocketQuery{});
    const auto count = std::count_if(all.begin(), all.end(), [&](const SocketEntry& entry) {
        return entry.inode == first->inode || entry.inode == second->inode;
    });
    EXPECT_EQ(count, 2);
}

TEST(SocketTable, BoundUdpSocketIsUnconnected) {
    auto udp = bind_loopback(AF_INET, SOCK_DGRAM);
    ASSERT_TRUE(udp);
    for (const bool listening_only : {false, true}) {
        const auto entries = rows_of(on_port(udp->port, listening_only), udp->inode);
        ASSERT_EQ(entries.size(), 1u) << "listening_only=" << listening_only;
        EXPECT_EQ(entries[0].protocol, Protocol::udp);
        EXPECT_EQ(entries[0].state, SocketState::unconnected);
        EXPECT_STREQ(to_string(entries[0].state), "UNCONN");
        EXPECT_EQ(entries[0].inode, udp->inode);
    }
    SocketQuery tcp_only;
    tcp_only.local_port = udp->port;
    tcp_only.include_udp = false;
    for (const auto& entry : system_socket_table().query(tcp_only)) {
        EXPECT_EQ(entry.protocol, Protocol::tcp);
    }
    EXPECT_TRUE(rows_of(system_socket_table().query(tcp_only), udp->inode).empty());
}

TEST(SocketTable, ListeningOnlyLeavesOutConnections) {
    auto listener = bind_loopback(AF_INET, SOCK_STREAM);
    ASSERT_TRUE(listener);
    UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(listener->port);
    ASSERT_EQ(::connect(client.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    UniqueFd accepted(::accept4(listener->fd.get(), nullptr, nullptr, SOCK_CLOEXEC));
    ASSERT_TRUE(accepted.valid());

    const auto accepted_inode = inode_of(accepted.get());
    ASSERT_NE(accepted_inode, 0U);
    const auto listening = on_port(listener->port, true);
    EXPECT_TRUE(rows_of(listening, accepted_inode).empty()) << "a connection is no listener";
    const auto ours = rows_of(listening, listener->inode);
    ASSERT_EQ(ours.size(), 1u);
    EXPECT_EQ(ours[0].state, SocketState::listen);

    // Without the filter: the accepted side too (the client's local port is another one).
    const auto accepted_rows = rows_of(on_port(listener->port, false), accepted_inode);
    ASSERT_EQ(accepted_rows.size(), 1u);
    EXPECT_EQ(accepted_rows[0].state, SocketState::established);
}

} // namespace
} // namespace golaunch
