// .golaunch/firewall.json: what is written comes back only under the same key, and anything
// else (another key, another format, a damaged file, a link) is a miss, never an error.
#include "instance/firewall_cache.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace golaunch {
namespace {

FirewallInspection sample() {
    FirewallInspection inspection;
    inspection.inspected = {"nftables", "iptables"};
    FirewallRule rule;
    rule.source = "nftables";
    rule.family = "inet";
    rule.table = "t";
    rule.chain = "input";
    rule.hook = "input";
    rule.verdict = "drop";
    rule.ports = {{8080, 8080}, {9000, 9010}};
    rule.in_interface = "lo";
    rule.address = "127.0.0.0/8";
    rule.text = "table inet t chain input: iifname lo tcp dport { 8080, 9000-9010 } drop";
    rule.remove_command = "sudo nft delete rule inet t input handle 4";
    inspection.rules = {rule};
    return inspection;
}

TEST(FirewallCache, RoundTripsUnderTheSameKeyOnly) {
    const auto text = firewall_cache_text("boot b netns 4:1 nft-generation 7", sample());
    const auto back = parse_firewall_cache(text, "boot b netns 4:1 nft-generation 7");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->inspected, sample().inspected);
    ASSERT_EQ(back->rules.size(), 1U);
    const auto& rule = back->rules[0];
    EXPECT_EQ(rule.ports, sample().rules[0].ports);
    EXPECT_EQ(rule.in_interface, "lo");
    EXPECT_EQ(rule.address, "127.0.0.0/8");
    EXPECT_EQ(rule.text, sample().rules[0].text);
    EXPECT_EQ(rule.remove_command, sample().rules[0].remove_command);
    EXPECT_TRUE(rule_blocks(rule, "127.0.0.1", 9005));

    EXPECT_FALSE(parse_firewall_cache(text, "boot b netns 4:1 nft-generation 8"));
    EXPECT_FALSE(parse_firewall_cache("", "k"));
    EXPECT_FALSE(parse_firewall_cache("{\"format\": 1, \"key\": \"k\"}", "k"));
    EXPECT_FALSE(parse_firewall_cache("{\"format\": 2, \"key\": \"k\", \"inspected\": [], "
                                      "\"skipped\": [], \"rules\": []}",
                                      "k"));
    EXPECT_FALSE(parse_firewall_cache("[1, 2]", "k"));
}

TEST(FirewallCache, WritesOnlyIntoAnExistingPrivateDirAndReadsBack) {
    test::TempDir project;
    write_firewall_cache(project.path(), "k", sample());
    EXPECT_FALSE(std::filesystem::exists(project.path() / ".golaunch"));
    EXPECT_FALSE(read_firewall_cache(project.path(), "k"));

    std::filesystem::create_directory(project.path() / ".golaunch");
    write_firewall_cache(project.path(), "k", sample());
    const auto back = read_firewall_cache(project.path(), "k");
    ASSERT_TRUE(back);
    EXPECT_EQ(back->rules.size(), 1U);
    EXPECT_FALSE(read_firewall_cache(project.path(), "other"));

    // A damaged file is a miss; the next write replaces it.
    project.write(".golaunch/firewall.json", "{\"format\": 1, \"key\": \"k\", \"rules\": [{");
    EXPECT_FALSE(read_firewall_cache(project.path(), "k"));
    write_firewall_cache(project.path(), "k", sample());
    EXPECT_TRUE(read_firewall_cache(project.path(), "k"));
}

TEST(FirewallCache, ALinkInItsPlaceIsNeitherReadNorWrittenThrough) {
    test::TempDir project;
    std::filesystem::create_directory(project.path() / ".golaunch");
    const auto target = project.write("elsewhere.json", firewall_cache_text("k", sample()));
    std::error_code error;
    std::filesystem::create_symlink(target, project.path() / ".golaunch" / "firewall.json", error);
    if (error) {
        GTEST_SKIP() << "cannot create a symbolic link here: " << error.message();
    }
    EXPECT_FALSE(read_firewall_cache(project.path(), "k"));
    write_firewall_cache(project.path(), "other", FirewallInspection{});
    EXPECT_EQ(test::read_file(target), firewall_cache_text("k", sample()));
}

} // namespace
} // namespace golaunch
