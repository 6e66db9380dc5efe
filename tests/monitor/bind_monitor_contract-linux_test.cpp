// What every bind monitor backend (seccomp notify, ptrace) must see in real Go processes: each
// bind()/listen() with its exact result, grandchildren included, late binds answered, privileged
// ports judged with the target's own capabilities, signals still delivered.
#include "monitor/bind_monitor.hpp"
#include "monitor/seccomp_filter-linux.hpp"
#include "support/monitored_process.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <thread>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::fixture;
using test::MonitoredProcess;
using test::pick_free_port;

class BindMonitorContract : public ::testing::TestWithParam<MonitorKind> {
  protected:
    void SetUp() override {
        std::string why_not;
        m_monitor = test::shared_test_monitor(GetParam(), why_not);
        if (m_monitor == nullptr) {
            if (GetParam() == MonitorKind::notify ||
                why_not.find("not permitted") != std::string::npos) {
                GTEST_SKIP() << to_string(GetParam()) << " is unavailable here: " << why_not;
            }
            FAIL() << "the " << to_string(GetParam()) << " monitor could not start: " << why_not;
        }
    }
    BindMonitor* m_monitor = nullptr;
};

INSTANTIATE_TEST_SUITE_P(Backends, BindMonitorContract,
                         ::testing::Values(MonitorKind::notify, MonitorKind::ptrace),
                         [](const ::testing::TestParamInfo<MonitorKind>& info) {
                             return std::string(to_string(info.param));
                         });

TEST_P(BindMonitorContract, SeesASuccessfulListenWithPidAddressAndPort) {
    EXPECT_EQ(m_monitor->kind(), GetParam());
    const auto port = pick_free_port();
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    MonitoredProcess child(*m_monitor, {fixture("binder"), "-addr", addr});
    ASSERT_TRUE(eventually([&] { return child.find(BindCall::listen, port).has_value(); }, 10s));
    const auto bind = child.find(BindCall::bind, port);
    const auto listen = child.find(BindCall::listen, port);
    ASSERT_TRUE(bind.has_value());
    EXPECT_EQ(bind->error, 0);
    EXPECT_EQ(bind->pid, child.pid());
    EXPECT_GT(bind->tid, 0);
    EXPECT_EQ(bind->address, "127.0.0.1");
    EXPECT_EQ(bind->family, AddressFamily::ipv4);
    EXPECT_EQ(bind->protocol, Protocol::tcp);
    EXPECT_EQ(listen->error, 0);
    EXPECT_EQ(listen->address, "127.0.0.1");
    EXPECT_LE(bind->steady, listen->steady);
    EXPECT_LE(listen->steady, std::chrono::steady_clock::now());
    ASSERT_TRUE(eventually([&] { return child.saw_line("listen " + addr + " ok"); }, 5s));
    EXPECT_TRUE(test::can_connect(port)) << "the listen seen is the service's own socket";
    for (const auto& event : child.events()) {
        EXPECT_NE(event.port, 0) << "Go's port-0 probe binds are not reported: " << describe(event);
    }
}

TEST_P(BindMonitorContract, ReportsEaddrinuseExactlyAsTheServiceSeesIt) {
    const auto port = pick_free_port();
    const test::HeldListener holder(port);
    ASSERT_TRUE(holder.ok());
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    MonitoredProcess child(*m_monitor, {fixture("binder"), "-addr", addr});
    ASSERT_TRUE(eventually([&] { return child.find(BindCall::bind, port).has_value(); }, 10s));
    EXPECT_EQ(child.find(BindCall::bind, port)->error, EADDRINUSE);
    EXPECT_FALSE(child.find(BindCall::listen, port).has_value());
    EXPECT_TRUE(eventually([&] { return child.saw_line("address already in use"); }, 5s));
}

// The supervisor handles a service's exit after asking the session for the events of the calls
// that have returned (flush): a bind that failed just before the exit must be among them, however
// slow the handler. Without it, the EADDRINUSE of a service that then exits could be lost when
// the run ends with that exit.
TEST_P(BindMonitorContract, DeliversAFailedBindBeforeTheExitThatFollowsIt) {
    const auto port = pick_free_port();
    const test::HeldListener holder(port);
    ASSERT_TRUE(holder.ok());
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    MonitoredProcess child(*m_monitor, {fixture("binder"), "-addr", addr, "-exit-on-error"}, 300ms);
    ASSERT_TRUE(child.wait_for_exit_and_flush(20s));
    const auto bind = child.find(BindCall::bind, port);
    ASSERT_TRUE(bind.has_value()) << "the failed bind was not delivered before the exit";
    EXPECT_EQ(bind->error, EADDRINUSE);
}

TEST_P(BindMonitorContract, JudgesAPrivilegedPortWithTheServicesOwnCapabilities) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to start a service as nobody and to compare with root";
    }
    if (::access("/usr/bin/setpriv", X_OK) != 0) {
        GTEST_SKIP() << "setpriv (util-linux) is not installed";
    }
    std::ifstream start_file("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    int unprivileged_start = 1024;
    start_file >> unprivileged_start;
    const auto port = test::free_privileged_port();
    if (port == 0 || port >= unprivileged_start) {
        GTEST_SKIP() << "no free port below ip_unprivileged_port_start=" << unprivileged_start;
    }
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    {
        // golaunch is root, the service is nobody: the bind must fail as it would unmonitored.
        MonitoredProcess child(*m_monitor, {"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                            "--clear-groups", fixture("binder"), "-addr", addr});
        ASSERT_TRUE(eventually([&] { return child.find(BindCall::bind, port).has_value(); }, 10s));
        EXPECT_EQ(child.find(BindCall::bind, port)->error, EACCES);
        EXPECT_TRUE(eventually([&] { return child.saw_line("permission denied"); }, 5s));
        EXPECT_EQ(child.find(BindCall::bind, port)->pid, child.pid()) << "setpriv execs binder";
    }
    {
        MonitoredProcess child(*m_monitor, {fixture("binder"), "-addr", addr});
        ASSERT_TRUE(
            eventually([&] { return child.find(BindCall::listen, port).has_value(); }, 10s));
        EXPECT_EQ(child.find(BindCall::bind, port)->error, 0) << "root may bind it";
    }
}

TEST_P(BindMonitorContract, SeesTheBindsOfAGrandchildLikeGoRun) {
    const auto port = pick_free_port();
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    // The shell forks binder (it has more to do afterwards), as `go run` forks the built binary.
    MonitoredProcess child(
        *m_monitor, {"/bin/sh", "-c", "'" + fixture("binder") + "' -addr " + addr + "; true"});
    ASSERT_TRUE(eventually([&] { return child.find(BindCall::listen, port).has_value(); }, 10s));
    const auto listen = child.find(BindCall::listen, port);
    EXPECT_EQ(listen->error, 0);
    EXPECT_NE(listen->pid, child.pid()) << "the grandchild's pid, not the shell's";
    EXPECT_EQ(::getpgid(listen->pid), child.pid()) << "in the service's process group";
    EXPECT_TRUE(eventually([&] { return child.saw_line("listen " + addr + " ok"); }, 5s));
}

TEST_P(BindMonitorContract, AnswersBindsMadeLongAfterStartWithoutEnosys) {
    const auto ports = test::pick_free_ports(2);
    const std::string first = "127.0.0.1:" + std::to_string(ports[0]);
    const std::string late = "127.0.0.1:" + std::to_string(ports[1]);
    MonitoredProcess child(
        *m_monitor, {fixture("binder"), "-addr", first, "-later", "1500ms", "-later-addr", late});
    ASSERT_TRUE(
        eventually([&] { return child.find(BindCall::listen, ports[1]).has_value(); }, 10s));
    EXPECT_EQ(child.find(BindCall::listen, ports[1])->error, 0);
    EXPECT_GE(child.find(BindCall::listen, ports[1])->steady -
                  child.find(BindCall::listen, ports[0])->steady,
              1400ms);
    EXPECT_TRUE(eventually([&] { return child.saw_line("listen " + late + " ok"); }, 5s));
    EXPECT_FALSE(child.saw_line("function not implemented"));
}

TEST_P(BindMonitorContract, SeesIpv6AndUdpBinds) {
    const auto ports = test::pick_free_ports(2);
    const std::string v6 = "[::1]:" + std::to_string(ports[0]);
    const std::string udp = "127.0.0.1:" + std::to_string(ports[1]);
    MonitoredProcess child(*m_monitor, {fixture("binder"), "-addr", v6, "-udp", udp});
    ASSERT_TRUE(eventually([&] { return child.find(BindCall::bind, ports[1]).has_value(); }, 10s));
    const auto udp_bind = child.find(BindCall::bind, ports[1]);
    EXPECT_EQ(udp_bind->protocol, Protocol::udp);
    EXPECT_EQ(udp_bind->error, 0);
    // The UDP bind can be seen before the IPv6 listen is done: wait for its outcome either way.
    const auto v6_failed = [&] {
        const auto bind = child.find(BindCall::bind, ports[0]);
        return bind.has_value() && bind->error != 0;
    };
    ASSERT_TRUE(
        eventually([&] { return child.saw_line("listen " + v6 + " ok") || v6_failed(); }, 10s));
    if (child.saw_line("listen " + v6 + " ok")) {
        // ptrace's events come through a reader thread of their own, which the fixture's
        // line can outrun: the listen is waited for.
        ASSERT_TRUE(
            eventually([&] { return child.find(BindCall::listen, ports[0]).has_value(); }, 5s));
        const auto listen = child.find(BindCall::listen, ports[0]);
        EXPECT_EQ(listen->family, AddressFamily::ipv6);
        EXPECT_EQ(listen->address, "::1");
    } else {
        ASSERT_TRUE(child.find(BindCall::bind, ports[0]).has_value());
        EXPECT_NE(child.find(BindCall::bind, ports[0])->error, 0) << "no ::1 here: a failure";
    }
}

TEST_P(BindMonitorContract, SigtermStillReachesTheServiceGracefully) {
    const auto port = pick_free_port();
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    MonitoredProcess child(*m_monitor, {fixture("binder"), "-addr", addr});
    ASSERT_TRUE(eventually([&] { return child.saw_line("listen " + addr + " ok"); }, 10s));
    // Go's runtime preempts with SIGURG all the time: those signals must keep flowing.
    std::this_thread::sleep_for(300ms);
    EXPECT_EQ(child.stop(), 0);
    EXPECT_TRUE(eventually([&] { return child.saw_line("got terminated, exiting"); }, 5s));
}

// NO_NEW_PRIVS would strip a setuid bit or file capabilities at exec: such binaries are named
// and left unfiltered (polled) instead of silently losing their privilege.
TEST(PrivilegeConflict, NamesSetuidBinariesAndLeavesPlainOnesAlone) {
    test::TempDir dir;
    const auto copy = dir.path() / "binder";
    std::filesystem::copy_file(fixture("binder"), copy);
    EXPECT_EQ(privilege_conflict(copy.string()), "");
    std::filesystem::permissions(copy, std::filesystem::perms::set_uid,
                                 std::filesystem::perm_options::add);
    EXPECT_EQ(privilege_conflict(copy.string()), copy.string() + " is setuid/setgid");
    EXPECT_EQ(privilege_conflict((dir.path() / "missing").string()), "")
        << "a missing file is the launcher's error to report, not the monitor's";
}

TEST(MonitorKind, ParsesTheChoicesAndRejectsOthers) {
    EXPECT_EQ(parse_monitor_kind("auto"), MonitorKind::automatic);
    EXPECT_EQ(parse_monitor_kind("notify"), MonitorKind::notify);
    EXPECT_EQ(parse_monitor_kind("poll"), MonitorKind::poll);
    EXPECT_EQ(parse_monitor_kind("off"), MonitorKind::off);
    EXPECT_EQ(parse_monitor_kind("ptrace"), MonitorKind::ptrace);
    EXPECT_THROW(parse_monitor_kind("strace"), Error);
    std::string warning;
    EXPECT_EQ(create_bind_monitor(MonitorKind::poll, warning), nullptr);
    EXPECT_TRUE(warning.empty());
}

TEST(BindEventText, NamesTheErrno) {
    BindEvent event;
    event.call = BindCall::bind;
    event.address = "::1";
    event.port = 80;
    event.error = EACCES;
    EXPECT_EQ(describe(event), "bind [::1]:80 failed: EACCES (Permission denied)");
    event.error = 0;
    event.call = BindCall::listen;
    EXPECT_EQ(describe(event), "listen [::1]:80 ok");
}

} // namespace
} // namespace golaunch
