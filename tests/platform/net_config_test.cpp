// NetConfig: parsers, and the real machine / a fresh network namespace / user nobody.
#include "platform/net_config.hpp"

#include "support/isolated_call.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>

namespace golaunch {
namespace {

using test::call_isolated;
using test::Isolation;

std::string command_output(const std::string& command) {
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), ::pclose);
    std::string text;
    char buffer[256];
    while (pipe && std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr) {
        text += buffer;
    }
    return text;
}

std::string sysctl_value(const std::string& name) {
    return command_output("sysctl -n " + name + " 2>/dev/null");
}

TEST(NetConfig, ParsesPortRange) {
    const auto range = parse_port_range("32768\t60999\n");
    ASSERT_TRUE(range);
    EXPECT_EQ(range->first, 32768);
    EXPECT_EQ(range->last, 60999);
    EXPECT_TRUE(range->contains(32768));
    EXPECT_TRUE(range->contains(60999));
    EXPECT_FALSE(range->contains(61000));
    EXPECT_FALSE(parse_port_range("32768"));
    EXPECT_FALSE(parse_port_range("9 1"));
    EXPECT_FALSE(parse_port_range("1 70000"));
    EXPECT_FALSE(parse_port_range("a b"));
}

TEST(NetConfig, ParsesReservedPorts) {
    EXPECT_TRUE(parse_reserved_ports("\n").empty());
    const auto ranges = parse_reserved_ports("8080,9000-9010, x,5-1\n");
    ASSERT_EQ(ranges.size(), 2U);
    EXPECT_EQ(ranges[0].first, 8080);
    EXPECT_EQ(ranges[0].last, 8080);
    EXPECT_EQ(ranges[1].first, 9000);
    EXPECT_EQ(ranges[1].last, 9010);
}

TEST(NetConfig, CanonicalIp) {
    EXPECT_EQ(canonical_ip("::0001"), "::1");
    EXPECT_EQ(canonical_ip("127.0.0.1"), "127.0.0.1");
    EXPECT_EQ(canonical_ip("localhost"), "");
    EXPECT_EQ(canonical_ip("[::1]"), "");
}

TEST(NetConfig, MatchesSysctlOnThisMachine) {
    const NetConfig config = read_net_config();
    ASSERT_TRUE(config.unprivileged_port_start);
    EXPECT_EQ(std::to_string(*config.unprivileged_port_start) + "\n",
              sysctl_value("net.ipv4.ip_unprivileged_port_start"));
    ASSERT_TRUE(config.local_port_range);
    EXPECT_EQ(config.local_port_range,
              parse_port_range(sysctl_value("net.ipv4.ip_local_port_range")));
    EXPECT_TRUE(config.has_address("lo", "127.0.0.1"));
    EXPECT_TRUE(config.is_local_address("127.0.0.1"));
    EXPECT_TRUE(config.is_local_address("127.0.0.53")); // all of 127/8 is local
    EXPECT_TRUE(config.is_local_address("0.0.0.0"));
    // Every address getifaddrs gave is what `ip -o addr` lists, and as many.
    const std::string listed = command_output("ip -o addr show 2>/dev/null");
    std::size_t lines = 0;
    for (std::size_t at = listed.find(" inet"); at != std::string::npos;
         at = listed.find(" inet", at + 1)) {
        ++lines;
    }
    EXPECT_EQ(config.addresses.size(), lines) << listed;
    for (const auto& address : config.addresses) {
        EXPECT_NE(listed.find(address.interface + "    inet"), std::string::npos)
            << address.interface << "\n"
            << listed;
        EXPECT_NE(listed.find(" " + address.address + "/"), std::string::npos)
            << address.address << "\n"
            << listed;
    }
    EXPECT_EQ(config.can_bind_privileged, ::geteuid() == 0);
}

TEST(NetConfig, NobodyHasNoNetBindService) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to switch to nobody";
    }
    std::string why;
    const auto result = call_isolated(
        Isolation{false, false, true},
        [] { return std::string(read_net_config().can_bind_privileged ? "yes" : "no"); }, &why);
    ASSERT_TRUE(result) << why;
    EXPECT_EQ(*result, "no");
}

TEST(NetConfig, FreshNamespaceLoopbackAndIpv6Sysctl) {
    std::string why;
    if (!test::can_unshare_netns()) {
        GTEST_SKIP() << "cannot create a network namespace here";
    }
    const auto describe = [] {
        const NetConfig config = read_net_config();
        std::string text;
        for (const auto& address : config.addresses) {
            text += address.interface + "=" + address.address + " ";
        }
        text += std::string("lo_off=") +
                (config.ipv6_disabled_lo ? (*config.ipv6_disabled_lo ? "1" : "0") : "?");
        return text;
    };
    const auto down = call_isolated(Isolation{true, false, false}, describe, &why);
    ASSERT_TRUE(down) << why;
    EXPECT_EQ(*down, "lo_off=0"); // a new namespace: lo down, no address at all
    const auto up = call_isolated(Isolation{true, true, false}, describe, &why);
    ASSERT_TRUE(up) << why;
    EXPECT_NE(up->find("lo=127.0.0.1 "), std::string::npos) << *up;
    EXPECT_NE(up->find("lo=::1 "), std::string::npos) << *up;
    const auto v6_off = call_isolated(
        Isolation{true, true, false},
        [&] {
            if (!test::write_sysctl("/proc/sys/net/ipv6/conf/lo/disable_ipv6", "1")) {
                throw std::runtime_error("cannot write disable_ipv6");
            }
            return describe();
        },
        &why);
    ASSERT_TRUE(v6_off) << why;
    EXPECT_NE(v6_off->find("lo=127.0.0.1 "), std::string::npos) << *v6_off;
    EXPECT_EQ(v6_off->find("::1"), std::string::npos) << *v6_off;
    EXPECT_NE(v6_off->find("lo_off=1"), std::string::npos) << *v6_off;
}

} // namespace
} // namespace golaunch
