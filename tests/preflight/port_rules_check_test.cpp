// check_port_rules against real situations: listeners, the machine's ranges, a fresh network
// namespace with its own sysctls, and user nobody without CAP_NET_BIND_SERVICE.
#include "preflight/port_rules_check.hpp"

#include "platform/admin_commands.hpp"
#include "preflight/check_test_support.hpp"
#include "support/isolated_call.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <grp.h>
#include <unistd.h>

namespace golaunch {
namespace {

using test::call_isolated;
using test::CheckFixture;
using test::find_id;
using test::findings_text;
using test::Isolation;

std::string has(const std::string& text, const std::string& needle) {
    return text.find(needle) == std::string::npos ? "missing '" + needle + "' in:\n" + text : "";
}

// The findings of check_port_rules for one endpoint, run in an isolated child.
std::optional<std::string> rules_in_child(const Isolation& isolation, DeclaredEndpoint endpoint,
                                          std::string* why, std::function<void()> prepare = {}) {
    return call_isolated(
        isolation,
        [=] {
            if (prepare) {
                prepare();
            }
            CheckFixture fixture;
            fixture.endpoints = {endpoint};
            return findings_text(check_port_rules(fixture.context()));
        },
        why);
}

TEST(PortRulesCheck, WildcardListenerShadowsLoopbackEndpoint) {
    const std::uint16_t port = test::pick_free_port();
    const test::HeldListener listener(port, test::HeldListener::Address::any);
    ASSERT_TRUE(listener.ok());
    CheckFixture fixture;
    fixture.endpoints = {{"api", "http", port, "127.0.0.1"}};
    const auto findings = check_port_rules(fixture.context());
    const Finding* shadowed = find_id(findings, "port-shadowed");
    ASSERT_NE(shadowed, nullptr) << findings_text(findings);
    EXPECT_EQ(shadowed->severity, Severity::warning);
    EXPECT_EQ(shadowed->subject, "api.http :" + std::to_string(port));
    const std::string text = findings_text(findings);
    EXPECT_EQ(has(text, "pid " + std::to_string(::getpid())), "");
    EXPECT_EQ(has(text, "tcp listen 0.0.0.0:" + std::to_string(port)), "");
    // The same address is port-in-use's business, not shadowing.
    fixture.endpoints = {{"api", "http", port, "0.0.0.0"}};
    EXPECT_EQ(find_id(check_port_rules(fixture.context()), "port-shadowed"), nullptr);
    // An unknown address: port-in-use names every listener; nothing to add.
    fixture.endpoints = {{"api", "http", port, ""}};
    EXPECT_EQ(find_id(check_port_rules(fixture.context()), "port-shadowed"), nullptr);
}

TEST(PortRulesCheck, EphemeralRangeOfThisMachine) {
    const NetConfig config = read_net_config();
    ASSERT_TRUE(config.local_port_range);
    const auto range = *config.local_port_range;
    CheckFixture fixture;
    const auto inside = static_cast<std::uint16_t>(range.first + (range.last - range.first) / 2);
    fixture.endpoints = {{"api", "http", inside, "127.0.0.1"}};
    const auto findings = check_port_rules(fixture.context());
    const Finding* ephemeral = find_id(findings, "ephemeral-range");
    bool reserved = false;
    for (const auto& r : config.reserved_ports) {
        reserved = reserved || r.contains(inside);
    }
    if (reserved) {
        GTEST_SKIP() << "the middle of the ephemeral range is reserved on this machine";
    }
    ASSERT_NE(ephemeral, nullptr) << findings_text(findings);
    EXPECT_EQ(ephemeral->severity, Severity::warning);
    EXPECT_EQ(
        has(ephemeral->message, std::to_string(range.first) + "-" + std::to_string(range.last)),
        "");
    if (range.first > 1025) {
        fixture.endpoints = {
            {"api", "http", static_cast<std::uint16_t>(range.first - 1), "127.0.0.1"}};
        EXPECT_EQ(find_id(check_port_rules(fixture.context()), "ephemeral-range"), nullptr);
    }
}

TEST(PortRulesCheck, ReservedAndEphemeralInOwnNamespace) {
    if (!test::can_unshare_netns()) {
        GTEST_SKIP() << "cannot create a network namespace here";
    }
    std::string why;
    const auto prepare = [] {
        if (!test::write_sysctl("/proc/sys/net/ipv4/ip_local_port_range", "20000 20100") ||
            !test::write_sysctl("/proc/sys/net/ipv4/ip_local_reserved_ports",
                                "20050,20060-20062")) {
            throw std::runtime_error("cannot write the namespace's port sysctls");
        }
    };
    auto text =
        rules_in_child({true, true, false}, {"api", "http", 20061, "127.0.0.1"}, &why, prepare);
    ASSERT_TRUE(text) << why;
    EXPECT_EQ(has(*text, "reserved-port info api.http :20061"), "");
    EXPECT_EQ(has(*text, "20060-20062"), "");
    EXPECT_EQ(text->find("ephemeral-range"), std::string::npos) << *text;
    text = rules_in_child({true, true, false}, {"api", "http", 20070, "127.0.0.1"}, &why, prepare);
    ASSERT_TRUE(text) << why;
    EXPECT_EQ(has(*text, "ephemeral-range warning api.http :20070"), "");
    EXPECT_EQ(has(*text, "20000-20100"), "");
    text = rules_in_child({true, true, false}, {"api", "http", 20101, "127.0.0.1"}, &why, prepare);
    ASSERT_TRUE(text) << why;
    EXPECT_EQ(*text, "");
}

TEST(PortRulesCheck, PrivilegedPortForNobodyNotForRoot) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to switch to nobody";
    }
    const NetConfig config = read_net_config();
    ASSERT_TRUE(config.unprivileged_port_start);
    if (*config.unprivileged_port_start <= 80) {
        GTEST_SKIP() << "ip_unprivileged_port_start is " << *config.unprivileged_port_start;
    }
    std::string why;
    const auto nobody =
        rules_in_child({false, false, true}, {"web", "http", 80, "127.0.0.1"}, &why);
    ASSERT_TRUE(nobody) << why;
    EXPECT_EQ(has(*nobody, "privileged-port error web.http :80"), "");
    EXPECT_EQ(has(*nobody, "CAP_NET_BIND_SERVICE"), "");
    EXPECT_EQ(has(*nobody, "sysctl -w net.ipv4.ip_unprivileged_port_start=80"), "");
    // The service is not in the (empty) manifest: no advice for a kind it may not have
    // (privileged_port_advice_test covers each kind).
    EXPECT_EQ(nobody->find("setcap"), std::string::npos) << *nobody;
    EXPECT_EQ(nobody->find("authbind"), std::string::npos) << *nobody;
    // Above the limit nobody is fine.
    const auto high = rules_in_child(
        {false, false, true},
        {"web", "http", static_cast<std::uint16_t>(*config.unprivileged_port_start), "127.0.0.1"},
        &why);
    ASSERT_TRUE(high) << why;
    EXPECT_EQ(high->find("privileged-port"), std::string::npos) << *high;
    // Root has CAP_NET_BIND_SERVICE.
    CheckFixture fixture;
    fixture.endpoints = {{"web", "http", 80, "127.0.0.1"}};
    EXPECT_EQ(find_id(check_port_rules(fixture.context()), "privileged-port"), nullptr);
}

TEST(PortRulesCheck, PrivilegedLimitLoweredInNamespace) {
    if (::geteuid() != 0 || !test::can_unshare_netns()) {
        GTEST_SKIP() << "needs root and network namespaces";
    }
    std::string why;
    const auto text = call_isolated(
        {true, true, false},
        [] {
            if (!test::write_sysctl("/proc/sys/net/ipv4/ip_unprivileged_port_start", "80")) {
                throw std::runtime_error("cannot lower ip_unprivileged_port_start");
            }
            if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
                ::setresuid(65534, 65534, 65534) != 0) {
                throw std::runtime_error("cannot become nobody");
            }
            CheckFixture fixture;
            fixture.endpoints = {{"web", "http", 79, "127.0.0.1"}, {"web", "alt", 80, "127.0.0.1"}};
            return findings_text(check_port_rules(fixture.context()));
        },
        &why);
    ASSERT_TRUE(text) << why;
    EXPECT_EQ(has(*text, "privileged-port error web.http :79"), "");
    EXPECT_EQ(has(*text, "below 80"), "");
    EXPECT_EQ(text->find("web.alt :80"), std::string::npos) << *text;
}

TEST(PortRulesCheck, AddressNotLocalInNamespace) {
    if (!test::can_unshare_netns()) {
        GTEST_SKIP() << "cannot create a network namespace here";
    }
    std::string why;
    auto text = rules_in_child({true, true, false}, {"api", "http", 8080, "192.0.2.7"}, &why);
    ASSERT_TRUE(text) << why;
    EXPECT_EQ(has(*text, "address-not-local error api.http :8080"), "");
    EXPECT_EQ(has(*text, "local addresses: lo 127.0.0.1, lo ::1"), "");
    EXPECT_EQ(has(*text, elevated("ip addr add 192.0.2.7/32 dev lo")), "");
    // After adding it, it is local.
    text = rules_in_child({true, true, false}, {"api", "http", 8080, "192.0.2.7"}, &why, [] {
        if (!test::shell("ip addr add 192.0.2.7/32 dev lo")) {
            throw std::runtime_error("ip addr add failed");
        }
    });
    ASSERT_TRUE(text) << why;
    EXPECT_EQ(text->find("address-not-local"), std::string::npos) << *text;
    for (const std::string address : {"127.0.0.1", "127.0.0.9", "0.0.0.0", "::", "::1"}) {
        text = rules_in_child({true, true, false}, {"api", "http", 8080, address}, &why);
        ASSERT_TRUE(text) << why;
        EXPECT_EQ(text->find("address-not-local"), std::string::npos) << address << "\n" << *text;
    }
}

TEST(PortRulesCheck, PortDeclaredTwice) {
    const std::uint16_t port = test::pick_free_port();
    CheckFixture fixture;
    fixture.endpoints = {{"api", "http", port, "127.0.0.1"}, {"web", "http", port, ""}};
    auto findings = check_port_rules(fixture.context());
    const Finding* twice = find_id(findings, "port-declared-twice");
    ASSERT_NE(twice, nullptr) << findings_text(findings);
    EXPECT_EQ(twice->severity, Severity::error);
    EXPECT_EQ(twice->subject, "web.http :" + std::to_string(port));
    EXPECT_EQ(has(twice->message, "by api.http and by web.http"), "");
    // Two different specific addresses can both bind the port.
    fixture.endpoints = {{"api", "http", port, "127.0.0.1"}, {"web", "http", port, "127.0.0.2"}};
    EXPECT_EQ(find_id(check_port_rules(fixture.context()), "port-declared-twice"), nullptr);
    fixture.endpoints = {{"api", "http", port, "0.0.0.0"}, {"web", "http", port, "127.0.0.2"}};
    EXPECT_NE(find_id(check_port_rules(fixture.context()), "port-declared-twice"), nullptr);
}

} // namespace
} // namespace golaunch
