// check_firewall: rules the test adds in its own network namespace with nft and iptables.
#include "preflight/firewall_check.hpp"

#include "instance/firewall_cache.hpp"
#include "platform/command_output.hpp"
#include "preflight/check_test_support.hpp"
#include "support/isolated_call.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

namespace golaunch {
namespace {

using test::call_isolated;
using test::CheckFixture;
using test::findings_text;

bool have(const std::string& program) {
    const char* path = std::getenv("PATH");
    return !find_in_path(program, path ? path : "").empty();
}

// Findings of check_firewall in a fresh namespace after running `rules` there.
std::string firewall_in_namespace(const std::vector<DeclaredEndpoint>& endpoints,
                                  const std::vector<std::string>& rules) {
    std::string why;
    const auto text = call_isolated(
        {true, true, false},
        [&] {
            for (const auto& command : rules) {
                if (!test::shell(command)) {
                    throw std::runtime_error("failed: " + command);
                }
            }
            CheckFixture fixture;
            fixture.endpoints = endpoints;
            return findings_text(check_firewall(fixture.context()));
        },
        &why);
    EXPECT_TRUE(text) << why;
    return text.value_or("(no answer)");
}

class FirewallCheck : public ::testing::Test {
  protected:
    void SetUp() override {
        if (!test::can_unshare_netns()) {
            GTEST_SKIP() << "cannot create a network namespace here";
        }
    }
};

TEST_F(FirewallCheck, EmptyRulesetHasNoFindings) {
    if (!have("nft")) {
        GTEST_SKIP() << "nft is not installed (apt install nftables)";
    }
    EXPECT_EQ(firewall_in_namespace({{"api", "http", 8080, "127.0.0.1"}}, {}), "");
}

TEST_F(FirewallCheck, NftDropOnLoopbackIsAnError) {
    if (!have("nft")) {
        GTEST_SKIP() << "nft is not installed (apt install nftables)";
    }
    const auto text = firewall_in_namespace(
        {{"api", "http", 8080, "127.0.0.1"}, {"web", "http", 9005, ""}, {"db", "pg", 5432, ""}},
        {"nft add table inet gltest",
         "nft add chain inet gltest input '{ type filter hook input priority 0; }'",
         "nft add rule inet gltest input iifname lo tcp dport 8080 drop",
         "nft add rule inet gltest input tcp dport '{ 7000, 9000-9010 }' reject",
         "nft add rule inet gltest input tcp dport != 22 accept",
         "nft add rule inet gltest input iifname eth9 tcp dport 5432 drop"});
    EXPECT_NE(text.find("firewall-blocks-port error api.http :8080"), std::string::npos) << text;
    EXPECT_NE(text.find("drops TCP to port 8080"), std::string::npos) << text;
    EXPECT_NE(text.find("iifname lo tcp dport { 8080 } drop"), std::string::npos) << text;
    EXPECT_NE(text.find("sudo nft delete rule inet gltest input handle "), std::string::npos)
        << text;
    EXPECT_NE(text.find("firewall-blocks-port error web.http :9005"), std::string::npos) << text;
    EXPECT_NE(text.find("rejects TCP to port 9005"), std::string::npos) << text;
    // A rule on another interface does not block loopback clients of a wildcard listener.
    EXPECT_EQ(text.find("db.pg"), std::string::npos) << text;
}

TEST_F(FirewallCheck, NftRuleForOtherAddressOrPortDoesNotMatch) {
    if (!have("nft")) {
        GTEST_SKIP() << "nft is not installed (apt install nftables)";
    }
    const auto text = firewall_in_namespace(
        {{"api", "http", 8080, "127.0.0.1"}, {"web", "http", 8081, "127.0.0.1"}},
        {"nft add table inet gltest",
         "nft add chain inet gltest output '{ type filter hook output priority 0; }'",
         "nft add rule inet gltest output ip daddr 127.0.0.2 tcp dport 8080 drop",
         "nft add rule inet gltest output ip saddr 10.9.9.9 tcp dport 8080 drop",
         "nft add rule inet gltest output tcp sport 8080 drop",
         "nft add rule inet gltest output ip daddr 127.0.0.0/8 tcp dport 8081 drop"});
    EXPECT_EQ(text.find("api.http"), std::string::npos) << text;
    EXPECT_NE(text.find("firewall-blocks-port error web.http :8081"), std::string::npos) << text;
    EXPECT_NE(text.find("daddr 127.0.0.0/8"), std::string::npos) << text;
}

TEST_F(FirewallCheck, IptablesRuleIsReportedOnceWithItsOwnCommands) {
    if (!have("iptables") || !have("iptables-save")) {
        GTEST_SKIP() << "iptables is not installed (apt install iptables)";
    }
    const auto text = firewall_in_namespace(
        {{"api", "http", 8080, "127.0.0.1"}, {"web", "http", 2005, "0.0.0.0"}},
        {"iptables -A INPUT -i lo -p tcp --dport 8080 -j DROP",
         "iptables -A INPUT -s 10.0.0.0/8 -p tcp --dport 2005 -j DROP",
         "iptables -A OUTPUT -p tcp -m multiport --dports 1000,2000:2010 -d 127.0.0.1/32 "
         "-j REJECT --reject-with tcp-reset"});
    EXPECT_NE(text.find("firewall-blocks-port error api.http :8080"), std::string::npos) << text;
    EXPECT_NE(text.find("-A INPUT -i lo -p tcp -m tcp --dport 8080 -j DROP"), std::string::npos)
        << text;
    EXPECT_NE(text.find("sudo iptables -t filter -D INPUT -i lo -p tcp -m tcp --dport 8080 -j "
                        "DROP"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("firewall-blocks-port error web.http :2005"), std::string::npos) << text;
    // iptables-nft rules also appear in nft's ruleset: one finding per rule, not two.
    const auto first = text.find("api.http :8080");
    EXPECT_EQ(text.find("api.http :8080", first + 1), std::string::npos) << text;
    // The rule against 10.0.0.0/8 sources does not concern local clients.
    const auto web = text.find("web.http :2005");
    EXPECT_EQ(text.find("web.http :2005", web + 1), std::string::npos) << text;
    EXPECT_EQ(text.find("10.0.0.0/8"), std::string::npos) << text;
}

TEST_F(FirewallCheck, WithoutPermissionOneInfoFindingAndNoIptablesSaveRun) {
    const auto text = call_isolated(
        {true, true, true},
        [&] {
            CheckFixture fixture;
            fixture.endpoints = {{"api", "http", 8080, "127.0.0.1"}};
            return findings_text(check_firewall(fixture.context()));
        },
        nullptr);
    ASSERT_TRUE(text);
    EXPECT_NE(text->find("firewall-not-inspected info firewall"), std::string::npos) << *text;
    EXPECT_NE(text->find("nftables: list ruleset: "), std::string::npos) << *text;
    EXPECT_NE(text->find("Operation not permitted"), std::string::npos) << *text;
    EXPECT_NE(text->find("iptables-save: not run: it needs the same permission"), std::string::npos)
        << *text;
    // Not root: the remedy is root, not a package that is already there.
    EXPECT_NE(text->find("remedy: reading the packet filter needs root: run `sudo golaunch "
                         "check`"),
              std::string::npos)
        << *text;
}

// The remedy is the command the user ran, as root: their manifest and hosts file, not a bare
// `golaunch check` that would read ./golaunch.toml and /etc/hosts.
TEST_F(FirewallCheck, WithoutPermissionTheRemedyNamesThisManifestAndHostsFile) {
    const auto text = call_isolated(
        {true, true, true},
        [&] {
            CheckFixture fixture;
            fixture.manifest.path = "/tmp/golaunch-project/my app.toml";
            fixture.endpoints = {{"api", "http", 8080, "127.0.0.1"}};
            auto context = fixture.context();
            context.hosts_file = "/tmp/golaunch-project/hosts";
            return findings_text(check_firewall(context));
        },
        nullptr);
    ASSERT_TRUE(text);
    EXPECT_NE(text->find("remedy: reading the packet filter needs root: run `sudo golaunch check "
                         "'/tmp/golaunch-project/my app.toml' --hosts-file "
                         "/tmp/golaunch-project/hosts` to include it"),
              std::string::npos)
        << *text;
}

// iptables-save is a process and a full listing: run only for a family where iptables has
// tables (or legacy x_tables are loaded), because nftables' own listing shows everything else.
TEST_F(FirewallCheck, IptablesSaveRunsOnlyForAFamilyWithIptablesTables) {
    if (!have("nft") || !have("iptables-save") || !have("ip6tables-save")) {
        GTEST_SKIP() << "nft or iptables is not installed (apt install nftables iptables)";
    }
    const char* path = std::getenv("PATH");
    const std::string real_path = path ? path : "";
    test::TempDir tools;
    const auto log = tools.path() / "runs.log";
    for (const std::string tool : {"iptables-save", "ip6tables-save"}) {
        const auto script =
            tools.write(tool, "#!/bin/sh\necho " + tool + " >> '" + log.string() + "'\nexec '" +
                                  find_in_path(tool, real_path) + "' \"$@\"\n");
        std::filesystem::permissions(script, std::filesystem::perms::owner_all);
    }
    const auto runs = [&](const std::vector<std::string>& rules) {
        std::filesystem::remove(log);
        std::string why;
        const auto text = call_isolated(
            {true, true, false},
            [&] {
                ::setenv("PATH", (tools.path().string() + ":" + real_path).c_str(), 1);
                for (const auto& command : rules) {
                    if (!test::shell(command)) {
                        throw std::runtime_error("failed: " + command);
                    }
                }
                CheckFixture fixture;
                fixture.endpoints = {{"api", "http", 8080, "127.0.0.1"}};
                return findings_text(check_firewall(fixture.context()));
            },
            &why);
        EXPECT_TRUE(text) << why;
        return std::filesystem::exists(log) ? test::read_file(log) : std::string("(none)");
    };
    EXPECT_EQ(runs({"nft add table inet gltest"}), "(none)");
    EXPECT_EQ(runs({"nft add table ip filter"}), "iptables-save\n");
    EXPECT_EQ(runs({"nft add table ip6 mangle", "nft add table inet gltest"}), "ip6tables-save\n");
}

// The rules are read again only when nftables' generation moves: a cache entry written under
// the current key is what the check sees, and one rule added makes it read the real ruleset.
TEST_F(FirewallCheck, ReadsTheCacheWhileTheRulesetIsUnchanged) {
    if (!have("nft")) {
        GTEST_SKIP() << "nft is not installed (apt install nftables)";
    }
    test::TempDir project;
    std::filesystem::create_directory(project.path() / ".golaunch");
    std::string why;
    const auto text = call_isolated(
        {true, true, false},
        [&] {
            for (const std::string command :
                 {"nft add table inet gltest",
                  "nft add chain inet gltest input '{ type filter hook input priority 0; }'"}) {
                if (!test::shell(command)) {
                    throw std::runtime_error("failed: " + command);
                }
            }
            CheckFixture fixture;
            fixture.manifest.root_dir = project.path();
            fixture.endpoints = {{"api", "http", 8080, "127.0.0.1"}};
            std::string result = "first: " + findings_text(check_firewall(fixture.context()));
            const auto key = firewall_state_key();
            if (!key || !read_firewall_cache(project.path(), *key)) {
                return result + "no cache written";
            }
            FirewallInspection planted;
            planted.inspected = {"nftables"};
            planted.rules = {FirewallRule{.source = "nftables",
                                          .family = "inet",
                                          .table = "planted",
                                          .chain = "input",
                                          .hook = "",
                                          .verdict = "drop",
                                          .ports = {{8080, 8080}},
                                          .in_interface = "",
                                          .out_interface = "",
                                          .address = "",
                                          .text = "the planted rule",
                                          .remove_command = "true"}};
            write_firewall_cache(project.path(), *key, planted);
            result += "\nsecond: " + findings_text(check_firewall(fixture.context()));
            test::shell("nft add rule inet gltest input iifname lo tcp dport 8080 reject");
            result += "\nthird: " + findings_text(check_firewall(fixture.context()));
            const auto newer = firewall_state_key();
            result += "\ncache now: ";
            result += newer && newer != key && read_firewall_cache(project.path(), *newer)
                          ? "refreshed"
                          : "stale";
            return result;
        },
        &why);
    ASSERT_TRUE(text) << why;
    const auto second = text->find("\nsecond: ");
    const auto third = text->find("\nthird: ");
    ASSERT_NE(third, std::string::npos) << *text;
    EXPECT_EQ(text->substr(0, second), "first: ") << *text;
    EXPECT_NE(text->substr(second, third - second).find("the planted rule"), std::string::npos)
        << *text;
    const auto after = text->substr(third);
    EXPECT_EQ(after.find("the planted rule"), std::string::npos) << *text;
    EXPECT_NE(after.find("rejects TCP to port 8080"), std::string::npos) << *text;
    EXPECT_NE(after.find("cache now: refreshed"), std::string::npos) << *text;
}

TEST(FirewallParse, NftJsonWithSetsRangesAndNegation) {
    const std::string json = R"({"nftables": [
      {"chain": {"family": "inet", "table": "t", "name": "in", "handle": 1, "hook": "input"}},
      {"rule": {"family": "inet", "table": "t", "chain": "in", "handle": 4, "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                   "right": {"set": [7000, {"range": [9000, 9010]}]}}},
        {"reject": {"type": "icmp", "expr": "port-unreachable"}}]}},
      {"rule": {"family": "inet", "table": "t", "chain": "in", "handle": 5, "expr": [
        {"match": {"op": "!=", "left": {"payload": {"protocol": "tcp", "field": "dport"}},
                   "right": 22}}, {"drop": null}]}},
      {"rule": {"family": "inet", "table": "t", "chain": "in", "handle": 6, "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}},
                   "right": 53}}, {"drop": null}]}}]})";
    const auto rules = parse_nft_ruleset(json);
    ASSERT_EQ(rules.size(), 1U);
    EXPECT_EQ(rules[0].hook, "input");
    EXPECT_EQ(rules[0].verdict, "reject");
    ASSERT_EQ(rules[0].ports.size(), 2U);
    EXPECT_TRUE(rule_blocks(rules[0], "127.0.0.1", 9010));
    EXPECT_FALSE(rule_blocks(rules[0], "127.0.0.1", 9011));
    EXPECT_TRUE(parse_nft_ruleset("not json").empty());
}

} // namespace
} // namespace golaunch
