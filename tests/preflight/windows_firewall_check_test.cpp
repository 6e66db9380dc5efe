// firewall-no-rule and firewall-blocks-program from rules in the registry's format, through the
// real port-rules check (portable: the check reads only NetConfig, the manifest and the
// endpoint; windows_firewall_rules-win32_test.cpp reads real registry values under Wine).
#include "preflight/windows_firewall_check.hpp"

#include "preflight/check_test_support.hpp"
#include "preflight/port_rules_check.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::CheckFixture;
using test::find_id;

constexpr const char* k_exe = "C:\\work\\shop\\.golaunch\\bin\\api.exe";

NetConfig windows_config(const std::vector<std::string>& rule_texts) {
    NetConfig config;
    config.windows_rules = true;
    config.can_bind_privileged = true;
    config.local_port_range = PortRange{49152, 65535};
    config.windows_firewall_rules.emplace();
    int index = 0;
    for (const auto& text : rule_texts) {
        config.windows_firewall_rules->push_back(
            *parse_windows_firewall_rule("rule" + std::to_string(++index), text));
    }
    return config;
}

std::vector<Finding> rules_for(const std::string& address, const NetConfig& config) {
    CheckFixture fixture;
    fixture.manifest.name = "shop";
    fixture.manifest.root_dir = "C:/work/shop";
    ServiceSpec api;
    api.name = "api";
    api.go_package = "./cmd/api";
    fixture.manifest.services.push_back(api);
    fixture.endpoints = {{"api", "http", 18080, address}};
    return check_port_rules(fixture.context(), config);
}

TEST(WindowsFirewallCheck, AWildcardListenerWithoutAnAllowRuleGetsTheExactNetshCommand) {
    const auto findings =
        rules_for("0.0.0.0", windows_config({"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|"
                                             "App=C:\\other\\tool.exe|Name=tool|"}));
    const Finding* finding = find_id(findings, "firewall-no-rule");
    ASSERT_NE(finding, nullptr);
    EXPECT_EQ(finding->severity, Severity::warning);
    EXPECT_NE(finding->message.find(k_exe), std::string::npos) << finding->message;
    EXPECT_NE(finding->remedy.find("`netsh advfirewall firewall add rule name=\"golaunch shop "
                                   "api\" dir=in action=allow program=\"" +
                                   std::string(k_exe) + "\" enable=yes profile=private`"),
              std::string::npos)
        << finding->remedy;
    EXPECT_NE(finding->remedy.find("Run as administrator"), std::string::npos);
    EXPECT_EQ(finding->remedy.find("sudo"), std::string::npos);
    EXPECT_EQ(find_id(findings, "firewall-wildcard-bind"), nullptr) << "the rules say more";
    EXPECT_EQ(finding_area(finding->id), "firewall");
}

TEST(WindowsFirewallCheck, AnAllowRuleForTheExeOrThePortSilencesIt) {
    for (const std::string& rule :
         {"v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Private|App=" +
              std::string(k_exe) + "|Name=api.exe|",
          std::string("v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=18080|Name=p|")}) {
        const auto findings = rules_for("::", windows_config({rule}));
        EXPECT_EQ(find_id(findings, "firewall-no-rule"), nullptr) << rule;
        EXPECT_EQ(find_id(findings, "firewall-blocks-program"), nullptr) << rule;
    }
    // A disabled allow rule allows nothing.
    const auto disabled =
        rules_for("0.0.0.0", windows_config({"v2.30|Action=Allow|Active=FALSE|Dir=In|App=" +
                                             std::string(k_exe) + "|Name=api.exe|"}));
    EXPECT_NE(find_id(disabled, "firewall-no-rule"), nullptr);
}

TEST(WindowsFirewallCheck, ABlockRuleOnTheExeOrPortIsNamedWithHowToDisableIt) {
    const auto findings = rules_for(
        "0.0.0.0",
        windows_config({"v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|App=" +
                            std::string(k_exe) + "|Name=Block api|",
                        "v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=18000-18100|"
                        "Name=Block range|"}));
    int blocks = 0;
    for (const auto& finding : findings) {
        if (finding.id == "firewall-blocks-program") {
            ++blocks;
            EXPECT_NE(finding.remedy.find("netsh advfirewall firewall set rule name="),
                      std::string::npos);
        }
    }
    EXPECT_EQ(blocks, 2);
}

TEST(WindowsFirewallCheck, LoopbackListenersAreExemptAndUnreadRulesFallBack) {
    const auto loopback = rules_for("127.0.0.1", windows_config({}));
    EXPECT_EQ(find_id(loopback, "firewall-no-rule"), nullptr);
    NetConfig unread = windows_config({});
    unread.windows_firewall_rules.reset();
    const auto findings = rules_for("0.0.0.0", unread);
    EXPECT_EQ(find_id(findings, "firewall-no-rule"), nullptr);
    EXPECT_NE(find_id(findings, "firewall-wildcard-bind"), nullptr);
}

} // namespace
} // namespace golaunch
