// port-excluded-range and port-portproxy from a NetConfig with Windows facts (portable: the
// check only reads NetConfig, so it runs on Linux too), and http.sys named for pid 4.
#include "preflight/port_exclusion_check.hpp"

#include "preflight/check_test_support.hpp"
#include "preflight/port_findings.hpp"
#include "preflight/port_rules_check.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::CheckFixture;
using test::find_id;

std::string all_text(const Finding& finding) {
    std::string text = finding.message + "\n";
    for (const auto& line : finding.evidence) {
        text += line + "\n";
    }
    return text + finding.remedy;
}

NetConfig windows_config() {
    NetConfig config;
    config.windows_rules = true;
    config.can_bind_privileged = true;
    config.local_port_range = PortRange{49152, 65535};
    config.excluded_ranges = {{AddressFamily::ipv4, {1080, 1179}, false},
                              {AddressFamily::ipv4, {50000, 50059}, true},
                              {AddressFamily::ipv6, {7000, 7009}, false}};
    config.port_proxies = {{"v4tov4", "0.0.0.0", 8080, "172.20.0.2", 80},
                           {"v4tov4", "*", 9090, "10.0.0.5", 9090}};
    return config;
}

std::vector<Finding> rules_for(const DeclaredEndpoint& endpoint, const NetConfig& config) {
    CheckFixture fixture;
    fixture.endpoints = {endpoint};
    return check_port_rules(fixture.context(), config);
}

TEST(PortExclusionCheck, PortInANonAdministeredRangeIsAnErrorWithTheAdminCommands) {
    const auto findings = rules_for({"api", "http", 1100, "127.0.0.1"}, windows_config());
    const Finding* excluded = find_id(findings, "port-excluded-range");
    ASSERT_NE(excluded, nullptr);
    EXPECT_EQ(excluded->severity, Severity::error);
    EXPECT_EQ(excluded->subject, "api.http :1100");
    EXPECT_TRUE(excluded->fix.empty()) << "the admin commands are never run by golaunch";
    const std::string text = all_text(*excluded);
    for (const char* needle :
         {"WSAEACCES 10013", "1080-1179 is an IPv4 excluded port range", "not administered",
          "winnat", "`net stop winnat`",
          "`netsh int ipv4 add excludedportrange protocol=tcp startport=1100 numberofports=1`",
          "`net start winnat`", "`netsh int ipv4 set dynamic tcp start=49152 num=16384`",
          "golaunch never runs these"}) {
        EXPECT_NE(text.find(needle), std::string::npos) << "missing " << needle << " in\n" << text;
    }
}

TEST(PortExclusionCheck, AdministeredRangesAreSaidSo) {
    const auto findings = rules_for({"api", "http", 50059, ""}, windows_config());
    const Finding* excluded = find_id(findings, "port-excluded-range");
    ASSERT_NE(excluded, nullptr);
    EXPECT_NE(all_text(*excluded).find("50000-50059"), std::string::npos);
    EXPECT_NE(all_text(*excluded).find("administered: added by an administrator"),
              std::string::npos);
    // 50059 is in the dynamic range too: the Windows wording, not sysctl's.
    const Finding* ephemeral = find_id(findings, "ephemeral-range");
    ASSERT_NE(ephemeral, nullptr);
    EXPECT_NE(all_text(*ephemeral).find("dynamic port range 49152-65535"), std::string::npos);
    EXPECT_NE(all_text(*ephemeral).find("netsh int ipv4 set dynamic tcp"), std::string::npos);
    EXPECT_EQ(all_text(*ephemeral).find("sysctl"), std::string::npos);
}

TEST(PortExclusionCheck, RangesApplyToTheirAddressFamilyOnly) {
    const auto config = windows_config();
    EXPECT_EQ(find_id(rules_for({"api", "http", 7005, "127.0.0.1"}, config), "port-excluded-range"),
              nullptr);
    EXPECT_NE(find_id(rules_for({"api", "http", 7005, "::1"}, config), "port-excluded-range"),
              nullptr);
    // Go's ":7005" listens on [::] dual-stack: both families count.
    EXPECT_NE(find_id(rules_for({"api", "http", 7005, ""}, config), "port-excluded-range"),
              nullptr);
    EXPECT_NE(find_id(rules_for({"api", "http", 1080, "::"}, config), "port-excluded-range"),
              nullptr);
    EXPECT_EQ(find_id(rules_for({"api", "http", 1180, ""}, config), "port-excluded-range"),
              nullptr);
}

TEST(PortExclusionCheck, PortproxyOnTheSameAddressIsAnErrorElseAWarning) {
    const auto config = windows_config();
    const auto same = rules_for({"api", "http", 8080, "0.0.0.0"}, config);
    const Finding* clash = find_id(same, "port-portproxy");
    ASSERT_NE(clash, nullptr);
    EXPECT_EQ(clash->severity, Severity::error);
    const std::string text = all_text(*clash);
    EXPECT_NE(text.find("WSAEADDRINUSE 10048"), std::string::npos) << text;
    EXPECT_NE(text.find("v4tov4 0.0.0.0:8080 -> 172.20.0.2:80"), std::string::npos) << text;
    EXPECT_NE(text.find("netsh interface portproxy delete v4tov4 listenport=8080 "
                        "listenaddress=0.0.0.0"),
              std::string::npos)
        << text;

    const auto elsewhere = rules_for({"api", "http", 8080, "127.0.0.1"}, config);
    const Finding* other = find_id(elsewhere, "port-portproxy");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->severity, Severity::warning);
    EXPECT_NE(all_text(*other).find("reach the proxy"), std::string::npos);

    // "*" is netsh's "every address": the same as 0.0.0.0.
    const auto every = rules_for({"api", "http", 9090, "0.0.0.0"}, config);
    const Finding* star = find_id(every, "port-portproxy");
    ASSERT_NE(star, nullptr);
    EXPECT_EQ(star->severity, Severity::error);
    EXPECT_EQ(find_id(rules_for({"api", "http", 8081, ""}, config), "port-portproxy"), nullptr);
}

TEST(PortExclusionCheck, NothingWithoutWindowsFacts) {
    NetConfig config; // what Linux reads: no excluded ranges, no portproxy rules
    for (const std::uint16_t port : {1100, 8080, 9090, 50000}) {
        const auto findings = rules_for({"api", "http", port, ""}, config);
        EXPECT_EQ(find_id(findings, "port-excluded-range"), nullptr);
        EXPECT_EQ(find_id(findings, "port-portproxy"), nullptr);
    }
}

TEST(PortExclusionCheck, HttpSysHoldingAPortIsNamedWithItsNetshHint) {
    ProcessInfo system;
    system.pid = k_windows_system_pid;
    system.name = k_http_sys_owner;
    system.user = "SYSTEM";
    PortSighting seen;
    seen.conflict.service = "api";
    seen.conflict.port_name = "http";
    seen.conflict.port = 80;
    PortHolder holder;
    holder.info = system;
    holder.kind = HolderKind::foreign;
    seen.conflict.holders = {holder};
    SocketEntry socket;
    socket.state = SocketState::listen;
    socket.local_address = "0.0.0.0";
    socket.local_port = 80;
    seen.users = {{socket, {system}}};
    ServiceSpec service;
    service.name = "api";
    const Finding finding = port_in_use_finding(seen, service, "");
    const std::string text = all_text(finding);
    EXPECT_NE(text.find("pid 4 (http.sys (kernel HTTP server: IIS, WinRM, SSDP...;"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("`netsh http show servicestate`"), std::string::npos) << text;
    EXPECT_EQ(text.find("kill 4"), std::string::npos) << "http.sys cannot be killed:\n" << text;
    EXPECT_EQ(text.find("taskkill"), std::string::npos) << text;
}

} // namespace
} // namespace golaunch
