#include "preflight/port_check.hpp"

#include "platform/port_finder.hpp"
#include "support/test_support.hpp"
#include "util/unique_fd.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <filesystem>
#include <memory>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::eventually;

using Server = test::FixtureServer;

ServiceSpec service(const std::string& name, std::uint16_t port,
                    PortConflictPolicy policy = PortConflictPolicy::fail) {
    ServiceSpec spec;
    spec.name = name;
    spec.cmd = {"true"};
    spec.ports.push_back(PortSpec{"http", port, {}, {}});
    spec.on_port_conflict = policy;
    return spec;
}

Manifest manifest_of(std::vector<ServiceSpec> services) {
    Manifest manifest;
    manifest.name = "shop";
    manifest.services = std::move(services);
    return manifest;
}

TEST(PortCheck, FreePortsGiveNoFindings) {
    const std::uint16_t port = test::pick_free_port();
    const auto manifest = manifest_of({service("api", port)});
    const auto result = check_ports(manifest, {}, system_socket_table(), true);
    EXPECT_TRUE(result.findings.empty());
    EXPECT_EQ(result.assignments.at("api").at("http"), port);
}

TEST(PortCheck, FailPolicyNamesTheHolder) {
    Server server;
    ASSERT_GT(server.pid, 0);
    const auto manifest = manifest_of({service("api", server.port)});
    const auto result = check_ports(manifest, {}, system_socket_table(), true);
    ASSERT_EQ(result.findings.size(), 1u);
    const auto& finding = result.findings[0];
    const std::string pid = std::to_string(server.pid);
    const std::string port = std::to_string(server.port);
    EXPECT_EQ(finding.id, "port-in-use");
    EXPECT_EQ(finding.severity, Severity::error);
    EXPECT_EQ(finding.subject, "api.http :" + port);
    EXPECT_EQ(finding.message.rfind(
                  "port " + port + " (api.http) is already in use by pid " + pid + " (", 0),
              0u)
        << finding.message;
    ASSERT_EQ(finding.evidence.size(), 1u);
    EXPECT_NE(finding.evidence[0].find("tcp LISTEN 127.0.0.1:" + port + " pid " + pid),
              std::string::npos)
        << finding.evidence[0];
    EXPECT_NE(finding.remedy.find("`kill " + pid + "`"), std::string::npos) << finding.remedy;
    EXPECT_NE(finding.remedy.find("[services.api]"), std::string::npos) << finding.remedy;
    EXPECT_TRUE(has_errors(result.findings));
    EXPECT_EQ(result.assignments.at("api").at("http"), server.port);
}

TEST(PortCheck, NextFreeMovesThePort) {
    Server server;
    ASSERT_GT(server.pid, 0);
    const std::uint16_t other = test::pick_free_port();
    const auto manifest = manifest_of(
        {service("api", server.port, PortConflictPolicy::next_free), service("web", other)});
    const auto result = check_ports(manifest, {}, system_socket_table(), true);
    ASSERT_EQ(result.findings.size(), 1u);
    const auto& finding = result.findings[0];
    EXPECT_EQ(finding.id, "port-moved");
    EXPECT_EQ(finding.severity, Severity::info);
    const std::uint16_t moved = result.assignments.at("api").at("http");
    EXPECT_NE(moved, server.port);
    EXPECT_NE(moved, other); // never onto a port another service declared
    EXPECT_EQ(result.assignments.at("web").at("http"), other);
    EXPECT_NE(finding.message.find("pid " + std::to_string(server.pid)), std::string::npos);
    EXPECT_NE(finding.message.find("using " + std::to_string(moved) + " instead"),
              std::string::npos)
        << finding.message;
    EXPECT_TRUE(test::HeldListener(moved).ok());
    EXPECT_FALSE(has_errors(result.findings));
}

TEST(PortCheck, CheckViewOfNextFreeSaysWhereRunMovesItAndFailsNothing) {
    Server server;
    ASSERT_GT(server.pid, 0);
    const auto manifest = manifest_of({service("api", server.port, PortConflictPolicy::next_free)});
    const auto result = check_ports(manifest, {}, system_socket_table(), false);
    ASSERT_EQ(result.findings.size(), 1u);
    const auto& finding = result.findings[0];
    EXPECT_EQ(finding.id, "port-will-move");
    EXPECT_EQ(finding.severity, Severity::warning);
    const auto to = result.assignments.at("api").at("http");
    EXPECT_NE(to, server.port) << "the port run would use, as run's assignments";
    EXPECT_EQ(finding.fields.to, to);
    EXPECT_EQ(finding.fields.port, server.port);
    ASSERT_EQ(finding.fields.holders.size(), 1u);
    EXPECT_EQ(finding.fields.holders[0].pid, server.pid);
    EXPECT_NE(finding.message.find("`golaunch run` will use " + std::to_string(to)),
              std::string::npos)
        << finding.message;
    ASSERT_EQ(result.conflicts.size(), 1u);
    EXPECT_FALSE(result.conflicts[0].resolved) << "check moves nothing: fix may still move it";
    EXPECT_TRUE(test::pid_running(server.pid));
}

TEST(PortCheck, StopStaleFailsForAHolderThatIsNotOurStaleInstance) {
    Server server;
    ASSERT_GT(server.pid, 0);
    const auto manifest =
        manifest_of({service("api", server.port, PortConflictPolicy::stop_stale)});
    PortCheckOptions options;
    bool asked = false;
    options.stop_stale = [&](const PortConflict&, std::string&) {
        return asked = true;
    };
    const auto result = check_ports(manifest, {}, system_socket_table(), options);
    ASSERT_EQ(result.findings.size(), 1u);
    EXPECT_FALSE(asked);
    EXPECT_EQ(result.findings[0].severity, Severity::error);
    EXPECT_EQ(result.findings[0].fix, "move-port");
    EXPECT_NE(result.findings[0].remedy.find("golaunch fix"), std::string::npos);
    EXPECT_TRUE(test::pid_running(server.pid));
}

TEST(PortCheck, StopStaleAsksToStopOurStaleHolderAndReportsWhatHappened) {
    Server server;
    ASSERT_GT(server.pid, 0);
    const auto manifest =
        manifest_of({service("api", server.port, PortConflictPolicy::stop_stale)});
    PortCheckOptions options;
    options.classify = [&](const ProcessInfo& info) {
        return info.pid == server.pid ? HolderKind::stale_ours : HolderKind::foreign;
    };
    std::vector<pid_t> asked;
    options.stop_stale = [&](const PortConflict& conflict, std::string& note) {
        asked.push_back(conflict.holders.at(0).info.pid);
        note = "refused by the test";
        return false;
    };
    auto result = check_ports(manifest, {}, system_socket_table(), options);
    EXPECT_EQ(asked, std::vector<pid_t>{server.pid});
    ASSERT_EQ(result.findings.size(), 1u);
    EXPECT_EQ(result.findings[0].id, "port-in-use");
    EXPECT_EQ(result.findings[0].fix, "stop-stale");
    EXPECT_NE(result.findings[0].message.find("stop-stale failed: refused by the test"),
              std::string::npos)
        << result.findings[0].message;

    options.stop_stale = [&](const PortConflict&, std::string& note) {
        note = "stopped by the test";
        return true;
    };
    result = check_ports(manifest, {}, system_socket_table(), options);
    ASSERT_EQ(result.findings.size(), 1u);
    EXPECT_EQ(result.findings[0].id, "stale-stopped");
    EXPECT_EQ(result.findings[0].severity, Severity::info);
    ASSERT_EQ(result.conflicts.size(), 1u);
    EXPECT_TRUE(result.conflicts[0].resolved);

    options.apply_policy = false; // check's view: says what run does, never stops
    asked.clear();
    result = check_ports(manifest, {}, system_socket_table(), options);
    EXPECT_TRUE(asked.empty());
    EXPECT_EQ(result.findings.at(0).id, "stale-will-stop");
    EXPECT_EQ(result.findings.at(0).severity, Severity::warning);
    EXPECT_EQ(result.findings.at(0).fix, "stop-stale");
}

TEST(PortCheck, OnlySelectedServicesAreChecked) {
    Server server;
    ASSERT_GT(server.pid, 0);
    const auto manifest =
        manifest_of({service("api", server.port), service("web", test::pick_free_port())});
    EXPECT_TRUE(check_ports(manifest, {"web"}, system_socket_table(), true).findings.empty());
    EXPECT_EQ(check_ports(manifest, {"api"}, system_socket_table(), true).findings.size(), 1u);
}

TEST(PortCheck, UdpOnTheSamePortIsNoConflict) {
    const std::uint16_t port = test::pick_free_port();
    UniqueFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    ASSERT_EQ(::bind(udp.get(), reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
    const auto manifest = manifest_of({service("api", port)});
    EXPECT_TRUE(check_ports(manifest, {}, system_socket_table(), true).findings.empty());
}

TEST(PortCheck, IsOursMarksOurOwnProcess) {
    Server server;
    ASSERT_GT(server.pid, 0);
    const auto manifest = manifest_of({service("api", server.port)});
    const auto result = check_ports(manifest, {}, system_socket_table(), true,
                                    [&](pid_t pid) { return pid == server.pid; });
    ASSERT_EQ(result.findings.size(), 1u);
    ASSERT_EQ(result.findings[0].evidence.size(), 1u);
    EXPECT_NE(result.findings[0].evidence[0].find("started by this golaunch"), std::string::npos);
}

class HiddenOwnerTable final : public SocketTable {
  public:
    std::uint16_t port = 0;
    std::vector<SocketEntry> query(const SocketQuery& query) const override {
        if (query.local_port && *query.local_port != port) {
            return {};
        }
        SocketEntry entry;
        entry.state = SocketState::listen;
        entry.local_address = "0.0.0.0";
        entry.local_port = port;
        entry.inode = 1; // no process holds inode 1
        return {entry};
    }
};

TEST(PortCheck, OwnerWeCannotFindIsStillAConflict) {
    HiddenOwnerTable table;
    table.port = test::pick_free_port();
    const auto manifest = manifest_of({service("api", table.port)});
    const auto result = check_ports(manifest, {}, table, true);
    ASSERT_EQ(result.findings.size(), 1u);
    EXPECT_EQ(result.findings[0].id, "port-in-use");
    ASSERT_EQ(result.findings[0].evidence.size(), 1u);
    EXPECT_NE(result.findings[0].evidence[0].find("0.0.0.0:" + std::to_string(table.port)),
              std::string::npos);
    EXPECT_NE(result.findings[0].remedy.find("golaunch who"), std::string::npos);
}

} // namespace
} // namespace golaunch
