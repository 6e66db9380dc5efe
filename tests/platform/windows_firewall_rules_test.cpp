// The registry's firewall rule strings ([MS-GPFAS] 2.2.2.10), parsed from values in the exact
// format Windows stores (these are shaped on rules of a Windows 11 machine: the built-in ones
// with resource-string names, a port rule, a program rule, a disabled one).
#include "platform/windows_firewall_rules.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

TEST(WindowsFirewallRules, ParsesAProgramAllowRule) {
    const auto rule = parse_windows_firewall_rule(
        "TCP Query "
        "User{0B7C9F5A-1A4E-4F0F-9E38-5E2C5B2C7E11}C:\\work\\shop\\.golaunch\\bin\\api.exe",
        "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Private|"
        "App=C:\\work\\shop\\.golaunch\\bin\\api.exe|Name=api.exe|Desc=api.exe|Defer=User|");
    ASSERT_TRUE(rule);
    EXPECT_EQ(rule->action, "Allow");
    EXPECT_TRUE(rule->active);
    EXPECT_TRUE(rule->inbound);
    EXPECT_EQ(rule->protocol, 6);
    EXPECT_TRUE(rule->any_local_port);
    EXPECT_EQ(rule->name, "api.exe");
    EXPECT_EQ(rule->profiles, std::vector<std::string>{"Private"});
    EXPECT_TRUE(names_program(*rule, "c:/WORK/shop/.golaunch/bin/API.EXE"));
    EXPECT_FALSE(names_program(*rule, "C:\\work\\shop\\.golaunch\\bin\\web.exe"));
    EXPECT_TRUE(covers_tcp_port(*rule, 8080));
}

TEST(WindowsFirewallRules, ParsesPortsRangesAndKeywords) {
    const auto rule = parse_windows_firewall_rule(
        "{7E5B2A4C-0D7E-4C55-A7B3-2E0C1D9F8A01}",
        "v2.31|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=8080|LPort=9000-9010|"
        "Name=Block dev ports|");
    ASSERT_TRUE(rule);
    EXPECT_EQ(rule->action, "Block");
    EXPECT_FALSE(rule->any_local_port);
    EXPECT_TRUE(covers_tcp_port(*rule, 8080));
    EXPECT_TRUE(covers_tcp_port(*rule, 9005));
    EXPECT_FALSE(covers_tcp_port(*rule, 9011));
    EXPECT_TRUE(rule->program.empty());

    const auto rpc = parse_windows_firewall_rule(
        "RemoteTask-RPCSS-In-TCP",
        "v2.10|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=RPC-EPMap|"
        "App=%SystemRoot%\\system32\\svchost.exe|Svc=RPCSS|Name=@FirewallAPI.dll,-33257|");
    ASSERT_TRUE(rpc);
    EXPECT_FALSE(rpc->active);
    EXPECT_FALSE(rpc->any_local_port) << "a keyword port is not every port";
    EXPECT_FALSE(covers_tcp_port(*rpc, 135));
    EXPECT_EQ(rpc->program, "%SystemRoot%\\system32\\svchost.exe") << "expanded by the reader";
}

TEST(WindowsFirewallRules, UdpAndOutboundRulesDoNotCoverATcpListener) {
    const auto udp = parse_windows_firewall_rule(
        "u", "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=17|LPort=8080|Name=u|");
    ASSERT_TRUE(udp);
    EXPECT_FALSE(covers_tcp_port(*udp, 8080));
    const auto out = parse_windows_firewall_rule(
        "o", "v2.30|Action=Block|Active=TRUE|Dir=Out|Protocol=6|LPort=8080|Name=o|");
    ASSERT_TRUE(out);
    EXPECT_FALSE(out->inbound);
}

TEST(WindowsFirewallRules, NameDefaultsToTheValueNameAndJunkIsRefused) {
    const auto unnamed =
        parse_windows_firewall_rule("TCP-8080", "v2.30|Action=Allow|Active=TRUE|Dir=In|");
    ASSERT_TRUE(unnamed);
    EXPECT_EQ(unnamed->name, "TCP-8080");
    EXPECT_FALSE(parse_windows_firewall_rule("x", ""));
    EXPECT_FALSE(parse_windows_firewall_rule("x", "Action=Allow|Dir=In|"));
    EXPECT_FALSE(parse_windows_firewall_rule("x", "v1.0|Action=Allow|"));
    const auto odd = parse_windows_firewall_rule("x", "v2.30|LPort=99999|LPort=0|LPort=20-10|=|");
    ASSERT_TRUE(odd);
    EXPECT_TRUE(odd->local_ports.empty());
    EXPECT_FALSE(covers_tcp_port(*odd, 20));
}

} // namespace
} // namespace golaunch
