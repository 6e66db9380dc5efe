#include "platform/port_finder.hpp"

#include "support/test_support.hpp"
#include "util/unique_fd.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

sockaddr_in loopback4(std::uint16_t port) {
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    return address;
}

class FakeSocketTable final : public SocketTable {
  public:
    std::vector<SocketEntry> entries;
    std::vector<SocketEntry> query(const SocketQuery& query) const override {
        std::vector<SocketEntry> out;
        for (const auto& entry : entries) {
            if (!query.local_port || entry.local_port == *query.local_port) {
                out.push_back(entry);
            }
        }
        return out;
    }
};

TEST(PortFinder, FreePortIsFreeUntilHeld) {
    const auto& table = system_socket_table();
    const std::uint16_t port = test::pick_free_port();
    EXPECT_TRUE(port_is_free(table, port));
    {
        const test::HeldListener held(port);
        ASSERT_TRUE(held.ok());
        EXPECT_FALSE(port_is_free(table, port));
    }
    EXPECT_TRUE(port_is_free(table, port));
    EXPECT_FALSE(port_is_free(table, 0));
}

TEST(PortFinder, ListenerOnIpv6OnlyCounts) {
    const std::uint16_t port = test::pick_free_port();
    const test::HeldListener held(port, test::HeldListener::Address::loopback6);
    if (!held.ok()) {
        GTEST_SKIP() << "::1 is not available here";
    }
    EXPECT_FALSE(port_is_free(system_socket_table(), port));
}

TEST(PortFinder, TableEntryCountsEvenWhenBindWouldWork) {
    FakeSocketTable table;
    const std::uint16_t port = test::pick_free_port();
    SocketEntry entry;
    entry.state = SocketState::listen;
    entry.local_address = "192.0.2.1";
    entry.local_port = port;
    table.entries.push_back(entry);
    EXPECT_FALSE(port_is_free(table, port));

    table.entries[0].state = SocketState::time_wait; // TIME-WAIT leftovers do not count
    EXPECT_TRUE(port_is_free(table, port));
}

// Leaves a server-side TIME-WAIT socket on `port` (the server closes first), from a listener
// with or without SO_REUSEADDR. True once the table shows nothing else on the port.
bool leave_time_wait(std::uint16_t port, bool reuse_address) {
    {
        UniqueFd listener(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        const int on = 1;
        if (reuse_address) {
            ::setsockopt(listener.get(), SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
        }
        const auto address = loopback4(port);
        if (::bind(listener.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) ||
            ::listen(listener.get(), 8) != 0) {
            return false;
        }
        UniqueFd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (::connect(client.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address)) {
            return false;
        }
        UniqueFd accepted(::accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC));
        accepted.reset();
        char byte = 0;
        if (::read(client.get(), &byte, 1) != 0) {
            return false;
        }
    }
    SocketQuery query;
    query.local_port = port;
    return test::eventually(
        [&] {
            const auto entries = system_socket_table().query(query);
            return !entries.empty() && std::all_of(entries.begin(), entries.end(), [](auto& e) {
                return e.state == SocketState::time_wait;
            });
        },
        2s);
}

// Go sets SO_REUSEADDR on its listeners, so its TIME-WAIT leftovers do not keep the next
// listener off the port; neither do they count against a port here.
TEST(PortFinder, TimeWaitLeftoverOfAReusableListenerDoesNotBlock) {
    const std::uint16_t port = test::pick_free_port();
    ASSERT_TRUE(leave_time_wait(port, true));
    EXPECT_TRUE(port_is_free(system_socket_table(), port));
}

// Without SO_REUSEADDR on the old listener the kernel refuses the bind; the test bind sees it.
TEST(PortFinder, TimeWaitLeftoverOfAPlainListenerBlocks) {
    const std::uint16_t port = test::pick_free_port();
    ASSERT_TRUE(leave_time_wait(port, false));
    EXPECT_FALSE(port_is_free(system_socket_table(), port));
}

TEST(PortFinder, NextFreePortSkipsHeldAndAvoidedPorts) {
    const auto& table = system_socket_table();
    const std::uint16_t held_port = test::pick_free_port();
    const test::HeldListener held(held_port);
    ASSERT_TRUE(held.ok());

    const auto next = next_free_port(table, held_port - 1, {});
    ASSERT_TRUE(next);
    EXPECT_NE(*next, held_port);
    EXPECT_TRUE(port_is_free(table, *next));
    EXPECT_TRUE(test::HeldListener(*next).ok());

    const std::set<std::uint16_t> avoid{static_cast<std::uint16_t>(held_port + 1),
                                        static_cast<std::uint16_t>(held_port + 2)};
    const auto skipping = next_free_port(table, held_port, avoid);
    ASSERT_TRUE(skipping);
    EXPECT_FALSE(avoid.contains(*skipping));
    EXPECT_NE(*skipping, held_port);
    EXPECT_TRUE(test::HeldListener(*skipping).ok());
}

TEST(PortFinder, WrapsToUnprivilegedPortsAfterTheTop) {
    const auto next = next_free_port(system_socket_table(), 65535, {});
    ASSERT_TRUE(next);
    EXPECT_GE(*next, 1024);
    EXPECT_TRUE(test::HeldListener(*next).ok());
}

} // namespace
} // namespace golaunch
