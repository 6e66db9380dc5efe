// check_ipv6 inside network namespaces the test makes: IPv6 on, disabled on lo, ::1 removed.
#include "preflight/ipv6_check.hpp"

#include "platform/admin_commands.hpp"
#include "preflight/check_test_support.hpp"
#include "preflight/port_rules_check.hpp"
#include "support/isolated_call.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::call_isolated;
using test::CheckFixture;
using test::findings_text;

class Ipv6Check : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::can_unshare_netns()) {
            GTEST_SKIP() << "cannot create a network namespace here";
        }
        if (!read_net_config().ipv6_supported) {
            GTEST_SKIP() << "this kernel has no IPv6";
        }
    }

    // Findings of check_ipv6 and check_port_rules in a fresh namespace with lo up, after
    // `prepare` (shell commands run inside it).
    static std::string in_namespace(const std::vector<DeclaredEndpoint>& endpoints,
                                    const std::vector<std::string>& prepare) {
        std::string why;
        const auto text = call_isolated(
            {true, true, false},
            [&] {
                for (const auto& command : prepare) {
                    if (!test::shell(command)) {
                        throw std::runtime_error("failed: " + command);
                    }
                }
                CheckFixture fixture;
                fixture.endpoints = endpoints;
                return findings_text(check_ipv6(fixture.context())) + "--\n" +
                       findings_text(check_port_rules(fixture.context()));
            },
            &why);
        EXPECT_TRUE(text) << why;
        return text.value_or("(no answer)");
    }
};

TEST_F(Ipv6Check, HealthyNamespaceHasNoFindings) {
    const auto text = in_namespace({{"api", "http", 8080, "::1"}, {"web", "http", 3000, "::"}}, {});
    EXPECT_EQ(text, "--\n");
}

TEST_F(Ipv6Check, DisabledOnLoopback) {
    const std::string disable = "sysctl -w net.ipv6.conf.lo.disable_ipv6=1";
    auto text = in_namespace({{"api", "http", 8080, "127.0.0.1"}}, {disable});
    EXPECT_NE(text.find("ipv6-disabled info ipv6"), std::string::npos) << text;
    EXPECT_NE(text.find("net.ipv6.conf.lo.disable_ipv6 = 1"), std::string::npos) << text;
    EXPECT_NE(text.find("ipv6-loopback-missing warning lo ::1"), std::string::npos) << text;
    EXPECT_NE(text.find("sysctl -w net.ipv6.conf.all.disable_ipv6=0"), std::string::npos) << text;
    EXPECT_EQ(text.find("ipv6-address-unavailable"), std::string::npos) << text;

    text = in_namespace({{"api", "http", 8080, "::1"}}, {disable});
    EXPECT_NE(text.find("ipv6-disabled warning ipv6"), std::string::npos) << text;
    EXPECT_NE(text.find("ipv6-address-unavailable error api.http :8080"), std::string::npos)
        << text;
    EXPECT_NE(text.find("binds [::1]:8080"), std::string::npos) << text;
    // Reported once, by the IPv6 check, not again as address-not-local.
    EXPECT_EQ(text.find("address-not-local"), std::string::npos) << text;
}

TEST_F(Ipv6Check, DisabledEverywhere) {
    const auto text = in_namespace({{"api", "http", 8080, "::1"}, {"web", "http", 3000, "::"}},
                                   {"sysctl -w net.ipv6.conf.all.disable_ipv6=1"});
    EXPECT_NE(text.find("ipv6-disabled warning"), std::string::npos) << text;
    EXPECT_NE(text.find("net.ipv6.conf.all.disable_ipv6 = 1"), std::string::npos) << text;
    EXPECT_NE(text.find("ipv6-address-unavailable error api.http :8080"), std::string::npos)
        << text;
    // The wildcard "::" still works (Go falls back to IPv4 for ":port").
    EXPECT_EQ(text.find("web.http"), std::string::npos) << text;
}

TEST_F(Ipv6Check, LoopbackAddressRemoved) {
    const auto text =
        in_namespace({{"api", "http", 8080, "::1"}}, {"ip -6 addr del ::1/128 dev lo"});
    EXPECT_EQ(text.find("ipv6-disabled"), std::string::npos) << text;
    EXPECT_NE(text.find("ipv6-loopback-missing warning lo ::1"), std::string::npos) << text;
    EXPECT_NE(text.find(elevated("ip -6 addr add ::1/128 dev lo")), std::string::npos) << text;
    EXPECT_NE(text.find("ipv6-address-unavailable error api.http :8080"), std::string::npos)
        << text;
    EXPECT_NE(text.find("not on lo"), std::string::npos) << text;
}

TEST_F(Ipv6Check, OtherIpv6AddressNotLocalIsPortRulesBusiness) {
    const auto text = in_namespace({{"api", "http", 8080, "fd00::7"}}, {});
    EXPECT_EQ(text.find("ipv6-address-unavailable"), std::string::npos) << text;
    EXPECT_NE(text.find("address-not-local error api.http :8080"), std::string::npos) << text;
    EXPECT_NE(text.find(elevated("ip addr add fd00::7/128 dev lo")), std::string::npos) << text;
}

} // namespace
} // namespace golaunch
