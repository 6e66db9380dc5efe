// The ptrace bind monitor (fallback backend): what only it has. Its bind()/listen() results are
// checked by the shared contract tests in bind_monitor_contract-linux_test.cpp.
#include "monitor/ptrace_monitor-linux.hpp"
#include "supervise/launcher.hpp"
#include "supervise/line_reader.hpp"
#include "support/monitored_process.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstddef>

#include <fstream>
#include <mutex>
#include <thread>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::eventually;
using test::fixture;
using test::MonitoredProcess;
using test::pick_free_port;

// The "TracerPid:" of a process, from /proc.
pid_t tracer_of(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("TracerPid:", 0) == 0) {
            return static_cast<pid_t>(std::stol(line.substr(10)));
        }
    }
    return -1;
}

class PtraceMonitor : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why_not;
        m_monitor = test::shared_test_monitor(MonitorKind::ptrace, why_not);
        if (m_monitor == nullptr) {
            if (why_not.find("not permitted") != std::string::npos) {
                GTEST_SKIP() << "ptrace is not permitted here: " << why_not;
            }
            FAIL() << "the ptrace monitor could not start: " << why_not;
        }
    }
    BindMonitor* m_monitor = nullptr;
};

// The contract tests (bind_monitor_contract-linux_test.cpp) run against this backend too; these
// are what only the ptrace backend has: a tracer process of its own, shared by all sessions.
TEST_F(PtraceMonitor, ServicesAreTracedByTheHelperNotByGolaunch) {
    const auto port = pick_free_port();
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    MonitoredProcess child(*m_monitor, {fixture("binder"), "-addr", addr});
    ASSERT_TRUE(eventually([&] { return child.find(BindCall::listen, port).has_value(); }, 10s));
    EXPECT_GT(tracer_of(child.pid()), 0) << "traced by the helper";
    EXPECT_NE(tracer_of(child.pid()), ::getpid()) << "not by golaunch itself";
}

TEST_F(PtraceMonitor, OneTracerServesTwoSessionsAtOnceAndOutlivesThem) {
    const auto ports = test::pick_free_ports(3);
    const auto addr = [](std::uint16_t port) {
        return "127.0.0.1:" + std::to_string(port);
    };
    {
        MonitoredProcess first(*m_monitor,
                               {fixture("binder"), "-addr", addr(ports[0]), "-delay", "300ms"});
        MonitoredProcess second(*m_monitor, {fixture("binder"), "-addr", addr(ports[1])});
        ASSERT_TRUE(
            eventually([&] { return first.find(BindCall::listen, ports[0]).has_value(); }, 10s));
        ASSERT_TRUE(
            eventually([&] { return second.find(BindCall::listen, ports[1]).has_value(); }, 10s));
        EXPECT_FALSE(first.find(BindCall::listen, ports[1]).has_value()) << "events stay apart";
        EXPECT_FALSE(second.find(BindCall::listen, ports[0]).has_value());
        EXPECT_EQ(tracer_of(first.pid()), tracer_of(second.pid())) << "one helper for all";
        EXPECT_EQ(first.stop(), 0);
        EXPECT_EQ(second.stop(), 0);
    }
    MonitoredProcess third(*m_monitor, {fixture("binder"), "-addr", addr(ports[2])});
    ASSERT_TRUE(
        eventually([&] { return third.find(BindCall::listen, ports[2]).has_value(); }, 10s));
    EXPECT_EQ(third.find(BindCall::listen, ports[2])->error, 0);
}

TEST_F(PtraceMonitor, LeavesNoTraceeStoppedWhenStoppedAndContinued) {
    const auto port = pick_free_port();
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    MonitoredProcess child(*m_monitor, {fixture("binder"), "-addr", addr});
    ASSERT_TRUE(eventually([&] { return child.saw_line("listen " + addr + " ok"); }, 10s));
    const auto state = [&] {
        std::ifstream in("/proc/" + std::to_string(child.pid()) + "/stat");
        std::string pid;
        std::string comm;
        char value = '?';
        in >> pid >> comm >> value;
        return value;
    };
    ASSERT_EQ(::kill(-child.pid(), SIGSTOP), 0);
    EXPECT_TRUE(eventually([&] { return state() == 't' || state() == 'T'; }, 5s));
    ASSERT_EQ(::kill(-child.pid(), SIGCONT), 0);
    EXPECT_TRUE(eventually([&] { return test::can_connect(port); }, 5s)) << "running again";
    EXPECT_TRUE(eventually([&] { return state() == 'S' || state() == 'R'; }, 5s));
    EXPECT_EQ(child.stop(), 0);
}

TEST(PtraceMonitorKind, IsAChoiceOfItsOwn) {
    EXPECT_EQ(parse_monitor_kind("ptrace"), MonitorKind::ptrace);
    EXPECT_STREQ(to_string(MonitorKind::ptrace), "ptrace");
}

// Puts the child under a seccomp notifier of its own (on acct(), which nothing calls), as a
// container runtime does: golaunch's own notify probe then gets EBUSY, while bind()/listen()
// stay free for SECCOMP_RET_TRACE.
class UnrelatedNotifier final : public ChildHook {
  public:
    int in_child() noexcept override {
        static sock_filter code[] = {
            BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
            BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_acct, 0, 1),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
            BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
        };
        sock_fprog program{sizeof code / sizeof code[0], code};
        if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
            return errno;
        }
        const long listener = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
                                        SECCOMP_FILTER_FLAG_NEW_LISTENER, &program);
        if (listener < 0) {
            return errno;
        }
        // Kept open across exec: a notifier exists only while its listener does.
        ::fcntl(static_cast<int>(listener), F_SETFD, 0);
        return 0;
    }
};

TEST_F(PtraceMonitor, GolaunchUnderAnotherNotifierFallsBackToPtraceEndToEnd) {
    test::TempDir dir;
    const auto port = pick_free_port();
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    const auto manifest = dir.write(
        "app.toml", "version = 1\nname = \"t\"\n[services.svc]\ncmd = [" +
                        test::toml_quoted(fixture("binder")) + ", \"-delay\", \"200ms\", " +
                        "\"-addr\", " + test::toml_quoted(addr) + "]\nports = { http = " +
                        std::to_string(port) + " }\nstartup_timeout = \"20s\"\nrestart = \"no\"\n");
    boost::asio::io_context io;
    UnrelatedNotifier notifier;
    LaunchSpec spec;
    spec.executable = test::golaunch_binary();
    spec.args = {"run", manifest.string(), "--json", "--monitor", "auto", "--ignore-preflight"};
    spec.env = {"PATH=/usr/bin:/bin", "HOME=/tmp"};
    spec.cwd = dir.path();
    spec.child_hook = &notifier;
    auto golaunch = launch_process(io, spec);
    std::mutex mutex;
    std::vector<nlohmann::json> events;
    std::string output;
    std::vector<std::shared_ptr<LineReader>> readers;
    for (auto* pipe : {&golaunch->out, &golaunch->err}) {
        readers.push_back(std::make_shared<LineReader>(
            std::move(*pipe),
            [&](const std::string& line) {
                const std::lock_guard lock(mutex);
                output += line + "\n";
                auto parsed = nlohmann::json::parse(line, nullptr, false);
                if (!parsed.is_discarded()) {
                    events.push_back(std::move(parsed));
                }
            },
            [] {}));
        readers.back()->start();
    }
    std::thread runner([&] { io.run(); });
    const auto find = [&](const std::string& name, const std::string& key,
                          const std::string& value) -> std::optional<nlohmann::json> {
        const std::lock_guard lock(mutex);
        for (const auto& event : events) {
            if (event.value("event", "") == name && event.contains(key) &&
                event[key].dump() == value) {
                return event;
            }
        }
        return std::nullopt;
    };
    const bool ready =
        eventually([&] { return find("ready", "service", "\"svc\"").has_value(); }, 20s);
    ::kill(golaunch->pid, SIGINT);
    std::thread watchdog([&, pid = golaunch->pid] {
        for (int i = 0; i < 150 && ::kill(pid, 0) == 0; ++i) {
            std::this_thread::sleep_for(100ms);
        }
        ::kill(pid, SIGKILL); // harmless if it has exited and is not yet reaped
    });
    boost::system::error_code ec;
    const int code = golaunch->process.wait(ec);
    watchdog.join();
    io.stop();
    runner.join();
    const std::lock_guard lock(mutex);
    (void)code;
    ASSERT_TRUE(ready) << output;
    bool saw_monitor = false;
    bool saw_listen = false;
    for (const auto& event : events) {
        if (event.value("event", "") == "monitor") {
            EXPECT_EQ(event.value("kind", ""), "ptrace") << output;
            saw_monitor = true;
        }
        if (event.value("event", "") == "ready" && event.value("service", "") == "svc") {
            EXPECT_EQ(event.value("monitor", ""), "ptrace") << output;
        }
        if (event.value("event", "") == "bind" && event.value("call", "") == "listen" &&
            event.value("port", 0) == port) {
            EXPECT_EQ(event.value("errno", ""), "OK");
            EXPECT_GT(event.value("pid", 0), 0);
            saw_listen = true;
        }
    }
    EXPECT_TRUE(saw_monitor) << output;
    EXPECT_TRUE(saw_listen) << output;
    EXPECT_NE(output.find("EBUSY"), std::string::npos) << "the fallback is explained: " << output;
}

} // namespace
} // namespace golaunch
