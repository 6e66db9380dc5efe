// Portproxy registry values ("listenaddress/listenport" = "connectaddress/connectport").
#include "platform/portproxy.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

TEST(PortProxy, ParsesRegistryValuesOfEveryKind) {
    const auto v4 = parse_portproxy_value("v4tov4", "0.0.0.0/8080", "192.168.1.10/80");
    ASSERT_TRUE(v4);
    EXPECT_EQ(*v4, (PortProxyRule{"v4tov4", "0.0.0.0", 8080, "192.168.1.10", 80}));
    EXPECT_EQ(describe(*v4), "v4tov4 0.0.0.0:8080 -> 192.168.1.10:80");

    const auto v6 = parse_portproxy_value("v6tov4", "::1/3000", "172.20.0.2/3000");
    ASSERT_TRUE(v6);
    EXPECT_EQ(v6->listen_address, "::1");
    EXPECT_EQ(describe(*v6), "v6tov4 [::1]:3000 -> 172.20.0.2:3000");

    const auto any = parse_portproxy_value("v4tov6", "*/5000", "fe80::1/5001");
    ASSERT_TRUE(any);
    EXPECT_EQ(any->listen_address, "*");
    EXPECT_EQ(any->connect_address, "fe80::1");
    EXPECT_EQ(any->connect_port, 5001);

    const auto named = parse_portproxy_value("v4tov4", "127.0.0.1/9000", "wsl.local/9000");
    ASSERT_TRUE(named);
    EXPECT_EQ(named->connect_address, "wsl.local");
}

TEST(PortProxy, SkipsMalformedValues) {
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "", ""));
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "0.0.0.0", "1.2.3.4/80"));
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "0.0.0.0/http", "1.2.3.4/80"));
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "0.0.0.0/0", "1.2.3.4/80"));
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "0.0.0.0/65536", "1.2.3.4/80"));
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "/8080", "1.2.3.4/80"));
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "0.0.0.0/8080", "1.2.3.4/"));
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "0.0.0.0/8080", "1.2.3.4/8o"));
    EXPECT_FALSE(parse_portproxy_value("v4tov4", "0.0.0.0/8080 x", "1.2.3.4/80"));
}

TEST(PortProxy, TheRegistryKeyAndKindsAreNetshs) {
    EXPECT_STREQ(k_portproxy_key, "SYSTEM\\CurrentControlSet\\Services\\PortProxy");
    EXPECT_STREQ(k_portproxy_kinds[0], "v4tov4");
    EXPECT_STREQ(k_portproxy_kinds[3], "v6tov6");
}

} // namespace
} // namespace golaunch
