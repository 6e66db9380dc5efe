// The Windows socket table (GetExtendedTcpTable / GetExtendedUdpTable) lists the test's own
// Winsock listeners (IPv4, IPv6, UDP) and, under Wine, a listener of a Linux process the test
// starts (Wine maps Winsock to Linux sockets). Owner pids: asserted on Windows, skipped under
// Wine, which reports 0 for every socket.
#include "platform/socket_table.hpp"

#include "platform/port_owners.hpp"
#include "platform/process_info.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <winsock2.h>

#include <ws2tcpip.h>

#include <windows.h>

#include <chrono>
#include <optional>
#include <thread>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

std::optional<SocketEntry> find_entry(std::uint16_t port, Protocol protocol, AddressFamily family) {
    SocketQuery query;
    query.local_port = port;
    for (const auto& entry : system_socket_table().query(query)) {
        if (entry.protocol == protocol && entry.family == family) {
            return entry;
        }
    }
    return std::nullopt;
}

// Owner assertions: the owner is this process, with its exe, through the same path `golaunch
// who` and the port check take. Under Wine, say why they are skipped.
void expect_owned_by_this_process(const SocketEntry& entry) {
    if (test::running_under_wine()) {
        EXPECT_EQ(entry.owner_pid, 0U);
        GTEST_SKIP() << "Wine reports owner pid 0 for every socket (GetExtendedTcpTable); "
                        "owner pids are asserted on real Windows only";
    }
    EXPECT_EQ(entry.owner_pid, ::GetCurrentProcessId());
    EXPECT_NE(entry.inode, 0U);
    const auto users = find_port_users(system_socket_table(), entry.local_port, true);
    ASSERT_FALSE(users.empty());
    ASSERT_FALSE(users.front().owners.empty());
    EXPECT_EQ(users.front().owners.front().pid, static_cast<pid_t>(::GetCurrentProcessId()));
    EXPECT_NE(users.front().owners.front().exe.find("golaunch_tests"), std::string::npos);
}

TEST(SocketTableWin32, ListsOurIpv4Listener) {
    const test::HeldListener listener(0);
    ASSERT_TRUE(listener.ok());
    const auto entry = find_entry(listener.port(), Protocol::tcp, AddressFamily::ipv4);
    ASSERT_TRUE(entry) << "listener on 127.0.0.1:" << listener.port() << " not in the table";
    EXPECT_EQ(entry->state, SocketState::listen);
    EXPECT_EQ(entry->local_address, "127.0.0.1");
    EXPECT_EQ(entry->local_port, listener.port());
    expect_owned_by_this_process(*entry);
}

TEST(SocketTableWin32, ListsOurIpv6Listener) {
    const test::HeldListener listener(test::pick_free_port(),
                                      test::HeldListener::Address::loopback6);
    if (!listener.ok()) {
        GTEST_SKIP() << "no IPv6 loopback here (bind on [::1] failed)";
    }
    const auto entry = find_entry(listener.port(), Protocol::tcp, AddressFamily::ipv6);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->state, SocketState::listen);
    EXPECT_EQ(entry->local_address, "::1");
    expect_owned_by_this_process(*entry);
}

TEST(SocketTableWin32, ListsABoundUdpSocketAndFiltersListeners) {
    const SOCKET udp = ::socket(AF_INET, SOCK_DGRAM, IPPROTO_UDP);
    ASSERT_NE(udp, INVALID_SOCKET);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(udp, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    int length = sizeof address;
    ::getsockname(udp, reinterpret_cast<sockaddr*>(&address), &length);
    const auto port = ntohs(address.sin_port);
    const auto entry = find_entry(port, Protocol::udp, AddressFamily::ipv4);
    ::closesocket(udp);
    ASSERT_TRUE(entry) << "udp 127.0.0.1:" << port;
    EXPECT_EQ(entry->state, SocketState::unconnected);
    EXPECT_EQ(entry->local_address, "127.0.0.1");

    // include_udp = false leaves it out; listening_only keeps only TCP listeners and UDP.
    const test::HeldListener listener(0);
    ASSERT_TRUE(listener.ok());
    SocketQuery tcp_only;
    tcp_only.include_udp = false;
    tcp_only.listening_only = true;
    for (const auto& row : system_socket_table().query(tcp_only)) {
        EXPECT_EQ(row.protocol, Protocol::tcp);
        EXPECT_EQ(row.state, SocketState::listen);
    }
}

TEST(SocketTableWin32, AnEstablishedConnectionHasBothEnds) {
    const test::HeldListener listener(0);
    ASSERT_TRUE(listener.ok());
    const SOCKET client = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    ASSERT_NE(client, INVALID_SOCKET);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(listener.port());
    ASSERT_EQ(::connect(client, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    sockaddr_in local{};
    int length = sizeof local;
    ::getsockname(client, reinterpret_cast<sockaddr*>(&local), &length);
    const auto client_port = ntohs(local.sin_port);
    const auto entry = find_entry(client_port, Protocol::tcp, AddressFamily::ipv4);
    ::closesocket(client);
    ASSERT_TRUE(entry);
    EXPECT_EQ(entry->state, SocketState::established);
    EXPECT_EQ(entry->remote_address, "127.0.0.1");
    EXPECT_EQ(entry->remote_port, listener.port());
}

// Under Wine a Unix path given to CreateProcessW runs that Linux program: the test starts a
// Python listener on a free port (it exits on the first connection or after 20 s).
TEST(SocketTableWin32, ListsALinuxSideListenerUnderWine) {
    if (!test::running_under_wine()) {
        GTEST_SKIP() << "a Linux-side listener exists only under Wine";
    }
    if (::GetFileAttributesW(L"Z:\\usr\\bin\\python3") == INVALID_FILE_ATTRIBUTES) {
        GTEST_SKIP() << "/usr/bin/python3 is not installed: no Linux-side listener to start";
    }
    const std::uint16_t port = test::pick_free_port();
    std::wstring command =
        L"/usr/bin/python3 -c \"import socket,sys; s=socket.socket(); "
        L"s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', " +
        std::to_wstring(port) +
        L")); s.listen(); s.settimeout(20)\n"
        L"try: s.accept()\nexcept OSError: sys.exit(1)\"";
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    PROCESS_INFORMATION process{};
    ASSERT_TRUE(::CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, 0, nullptr,
                                 nullptr, &startup, &process))
        << ::GetLastError();
    ::CloseHandle(process.hThread);
    ::CloseHandle(process.hProcess);
    std::optional<SocketEntry> entry;
    const bool seen = test::eventually(
        [&] {
            entry = find_entry(port, Protocol::tcp, AddressFamily::ipv4);
            return entry.has_value();
        },
        10s);
    // Connect once so that the Python listener exits now rather than at its 20 s timeout.
    const bool connected = test::can_connect(port);
    ASSERT_TRUE(seen) << "the Linux listener on 127.0.0.1:" << port << " never showed up";
    EXPECT_TRUE(connected);
    EXPECT_EQ(entry->state, SocketState::listen);
    EXPECT_EQ(entry->local_address, "127.0.0.1");
    EXPECT_EQ(entry->owner_pid, 0U) << "Wine cannot name a Linux process as owner";
}

} // namespace
} // namespace golaunch
