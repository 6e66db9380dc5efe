// firewall-wildcard-bind from a NetConfig with Windows facts (portable: the check only reads
// NetConfig and the endpoint, so it runs on Linux too), through the real port-rules check.
#include "preflight/wildcard_bind_check.hpp"

#include "preflight/check_test_support.hpp"
#include "preflight/port_rules_check.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::CheckFixture;
using test::find_id;

NetConfig windows_config() {
    NetConfig config;
    config.windows_rules = true;
    config.can_bind_privileged = true;
    config.local_port_range = PortRange{49152, 65535};
    return config;
}

std::vector<Finding> rules_for(const DeclaredEndpoint& endpoint, const NetConfig& config) {
    CheckFixture fixture;
    fixture.endpoints = {endpoint};
    return check_port_rules(fixture.context(), config);
}

TEST(WildcardBindCheck, WildcardListenOnWindowsIsAWarningSuggestingLoopback) {
    for (const std::string address : {"0.0.0.0", "::"}) {
        const auto findings = rules_for({"api", "http", 18080, address}, windows_config());
        const Finding* finding = find_id(findings, "firewall-wildcard-bind");
        ASSERT_NE(finding, nullptr) << address;
        EXPECT_EQ(finding->severity, Severity::warning);
        EXPECT_NE(finding->message.find("Windows Defender Firewall"), std::string::npos);
        EXPECT_NE(finding->remedy.find("127.0.0.1:18080"), std::string::npos);
        EXPECT_EQ(finding_area(finding->id), "firewall");
    }
}

TEST(WildcardBindCheck, LoopbackOrUnknownAddressesAreFine) {
    for (const std::string address : {"127.0.0.1", "::1", ""}) {
        const auto findings = rules_for({"api", "http", 18080, address}, windows_config());
        EXPECT_EQ(find_id(findings, "firewall-wildcard-bind"), nullptr) << address;
    }
}

TEST(WildcardBindCheck, NothingWithoutWindowsFacts) {
    NetConfig config; // Linux: the firewall check reads the real rules instead
    config.local_port_range = PortRange{32768, 60999};
    const auto findings = rules_for({"api", "http", 18080, "0.0.0.0"}, config);
    EXPECT_EQ(find_id(findings, "firewall-wildcard-bind"), nullptr);
}

} // namespace
} // namespace golaunch
