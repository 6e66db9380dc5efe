// The Windows bind monitor end to end: golaunch_hook.dll injected into a suspended GOOS=windows Go
// fixture reports its bind()/listen() calls with their WSA results over the pipe; a prologue the
// DLL refuses makes the session fail with the reason; the service survives golaunch going away.
// The child is created here with CreateProcessW (CREATE_SUSPENDED, in a kill-on-close job), the
// way the Windows launcher does it.
#include "monitor/inline_hook-win32.hpp"

#include "support/test_support.hpp"
#include "util/error.hpp"
#include "util/wide_text.hpp"

#include <gtest/gtest.h>

#include <windows.h>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::HeldListener;
using test::pick_free_port;

// Under Wine the build's paths are Unix paths: Z: is the root of the Unix file system.
std::filesystem::path native(const std::string& path) {
    if (path.empty() || path[0] != '/') {
        return path;
    }
    std::string converted = "Z:" + path;
    for (auto& c : converted) {
        c = c == '/' ? '\\' : c;
    }
    return converted;
}

std::filesystem::path hook_dll() {
    return native(test::golaunch_binary()).parent_path() / k_hook_dll_name;
}

// Every event the session delivered, from its reader thread.
class Collector {
  public:
    BindEventHandler handler() {
        return [this](const BindEvent& event) {
            std::lock_guard lock(m_mutex);
            m_events.push_back(event);
            m_changed.notify_all();
        };
    }
    // The first event matching `predicate` within `timeout`.
    template <typename Predicate>
    std::optional<BindEvent> wait_for(Predicate predicate, std::chrono::milliseconds timeout) {
        std::unique_lock lock(m_mutex);
        std::optional<BindEvent> found;
        m_changed.wait_for(lock, timeout, [&] {
            for (const auto& event : m_events) {
                if (predicate(event)) {
                    found = event;
                    return true;
                }
            }
            return false;
        });
        return found;
    }
    std::size_t count() {
        std::lock_guard lock(m_mutex);
        return m_events.size();
    }
    std::string dump() {
        std::lock_guard lock(m_mutex);
        std::string text;
        for (const auto& event : m_events) {
            text += describe(event) + " pid " + std::to_string(event.pid) + "\n";
        }
        return text;
    }

  private:
    std::mutex m_mutex;
    std::condition_variable m_changed;
    std::vector<BindEvent> m_events;
};

// A child created suspended in a kill-on-close job, stdout and stderr to a file; the destructor
// ends it (closing the job).
class SuspendedChild {
  public:
    SuspendedChild(const std::vector<std::string>& argv, const std::filesystem::path& output) {
        m_job = CreateJobObjectW(nullptr, nullptr);
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
        limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
        SetInformationJobObject(m_job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
        SECURITY_ATTRIBUTES inherit{sizeof inherit, nullptr, TRUE};
        HANDLE out = CreateFileW(output.wstring().c_str(), GENERIC_WRITE, FILE_SHARE_READ, &inherit,
                                 CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
        std::wstring command;
        for (const auto& arg : argv) {
            command += (command.empty() ? L"\"" : L" \"") + to_wide(arg) + L"\"";
        }
        STARTUPINFOW startup{};
        startup.cb = sizeof startup;
        startup.dwFlags = STARTF_USESTDHANDLES;
        startup.hStdOutput = out;
        startup.hStdError = out;
        startup.hStdInput = GetStdHandle(STD_INPUT_HANDLE);
        m_started = CreateProcessW(nullptr, command.data(), nullptr, nullptr, TRUE,
                                   CREATE_SUSPENDED | CREATE_NO_WINDOW, nullptr, nullptr, &startup,
                                   &m_info) != FALSE;
        m_error = GetLastError();
        CloseHandle(out);
        if (m_started) {
            AssignProcessToJobObject(m_job, m_info.hProcess);
        }
    }
    ~SuspendedChild() {
        if (m_started) {
            TerminateProcess(m_info.hProcess, 1);
            WaitForSingleObject(m_info.hProcess, 5000);
            CloseHandle(m_info.hThread);
            CloseHandle(m_info.hProcess);
        }
        CloseHandle(m_job);
    }
    bool started() const { return m_started; }
    DWORD error() const { return m_error; }
    HANDLE process() const { return m_info.hProcess; }
    DWORD pid() const { return m_info.dwProcessId; }
    void resume() const { ResumeThread(m_info.hThread); }
    bool running() const { return WaitForSingleObject(m_info.hProcess, 0) == WAIT_TIMEOUT; }

  private:
    HANDLE m_job = nullptr;
    PROCESS_INFORMATION m_info{};
    bool m_started = false;
    DWORD m_error = 0;
};

std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

class InlineHook : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string why_not;
        m_monitor = create_inline_hook_monitor(hook_dll(), why_not);
        ASSERT_TRUE(m_monitor) << why_not;
    }

    std::unique_ptr<MonitorSession> hooked(SuspendedChild& child, Collector& events) {
        std::string why_not;
        auto session = m_monitor->prepare("binder.exe", events.handler(), why_not);
        EXPECT_TRUE(session) << why_not;
        if (!session) {
            return nullptr;
        }
        EXPECT_EQ(session->child_hook()->before_resume(child.process(), child.pid()), 0u);
        return session;
    }

    // hooked(), then attach and resume: the child runs monitored.
    std::unique_ptr<MonitorSession> start_hooked(SuspendedChild& child, Collector& events) {
        auto session = hooked(child, events);
        if (session) {
            EXPECT_NO_THROW(session->attach(static_cast<pid_t>(child.pid())));
            child.resume();
        }
        return session;
    }

    std::string binder() const { return native(test::fixture("binder")).string(); }

    test::TempDir m_dir;
    std::unique_ptr<BindMonitor> m_monitor;
};

TEST_F(InlineHook, ReportsGoBindsWithTheirWsaResults) {
    const std::uint16_t free_port = pick_free_port();
    HeldListener busy(0); // a listener this test holds: the fixture's bind there must fail
    ASSERT_TRUE(busy.ok());
    const auto output = m_dir.path() / "binder.out";
    const std::string free_addr = "127.0.0.1:" + std::to_string(free_port);
    const std::string busy_addr = "127.0.0.1:" + std::to_string(busy.port());
    SuspendedChild child({binder(), "-addr", free_addr + "," + busy_addr}, output);
    ASSERT_TRUE(child.started()) << win32_error_text(child.error());

    Collector events;
    const auto session = start_hooked(child, events);
    ASSERT_TRUE(session);

    const auto pid = static_cast<pid_t>(child.pid());
    const auto bound = events.wait_for(
        [&](const BindEvent& e) { return e.call == BindCall::bind && e.port == free_port; }, 20s);
    ASSERT_TRUE(bound) << events.dump() << read_text(output);
    EXPECT_EQ(bound->error, 0);
    EXPECT_EQ(bound->pid, pid);
    EXPECT_NE(bound->tid, 0);
    EXPECT_EQ(bound->address, "127.0.0.1");
    EXPECT_EQ(bound->family, AddressFamily::ipv4);
    EXPECT_EQ(bound->protocol, Protocol::tcp);
    EXPECT_LT(std::chrono::system_clock::now() - bound->time, 60s); // FILETIME converted

    const auto listened = events.wait_for(
        [&](const BindEvent& e) { return e.call == BindCall::listen && e.port == free_port; }, 10s);
    ASSERT_TRUE(listened) << events.dump();
    EXPECT_EQ(listened->error, 0);
    EXPECT_EQ(listened->address, "127.0.0.1"); // from getsockname

    const auto refused = events.wait_for(
        [&](const BindEvent& e) { return e.call == BindCall::bind && e.port == busy.port(); }, 10s);
    ASSERT_TRUE(refused) << events.dump();
    EXPECT_EQ(refused->error, 10048); // WSAEADDRINUSE
    EXPECT_TRUE(refused->wsa);
    EXPECT_EQ(errno_name(refused->error), "WSAEADDRINUSE");
    EXPECT_NE(describe(*refused).find("failed: WSAEADDRINUSE"), std::string::npos);

    // The service still got its own error: the hook kept the thread's last error.
    ASSERT_TRUE(test::eventually(
        [&] {
            return read_text(output).find("listen " + busy_addr + " error:") != std::string::npos;
        },
        10s))
        << read_text(output);
    // Go turns a last error of 0 into EINVAL: the text must name 10048 (Wine: "winapi error
    // #10048", Windows: "Only one usage of each socket address ...").
    const auto text = read_text(output);
    const auto line = text.substr(text.find("listen " + busy_addr + " error:"));
    const auto end = line.substr(0, line.find('\n'));
    EXPECT_TRUE(end.find("10048") != std::string::npos ||
                end.find("Only one usage") != std::string::npos)
        << end;
    EXPECT_NE(text.find("listen " + free_addr + " ok"), std::string::npos) << text;
}

// The hook follows children as `go run` and cmd.exe start them: a Go program (spawner -run)
// starts binder, whose bind and listen come down the same pipe with binder's own pid.
TEST_F(InlineHook, FollowsAChildTheServiceStartsAndReportsItsBindsWithItsPid) {
    const std::uint16_t port = pick_free_port();
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    const auto output = m_dir.path() / "spawner.out";
    SuspendedChild child(
        {native(test::fixture("spawner")).string(), "-run", binder(), "-addr", addr}, output);
    ASSERT_TRUE(child.started()) << win32_error_text(child.error());
    Collector events;
    const auto session = start_hooked(child, events);
    ASSERT_TRUE(session);

    const auto listened = events.wait_for(
        [&](const BindEvent& e) { return e.call == BindCall::listen && e.port == port; }, 30s);
    ASSERT_TRUE(listened) << events.dump() << read_text(output);
    EXPECT_EQ(listened->error, 0);
    EXPECT_NE(listened->pid, static_cast<pid_t>(child.pid())) << "the child's own pid";
    ASSERT_TRUE(test::eventually(
        [&] { return read_text(output).find("listen " + addr + " ok") != std::string::npos; }, 10s))
        << read_text(output);
    const auto text = read_text(output);
    const auto parent_line = text.find("parent ");
    ASSERT_NE(parent_line, std::string::npos) << text;
    EXPECT_NE(text.find(" child " + std::to_string(listened->pid), parent_line), std::string::npos)
        << "the event's pid is the child's that spawner started:\n"
        << text << events.dump();
}

// A caller that asks for CREATE_SUSPENDED gets its child suspended: the hook resumes only the
// children it suspended itself. spawner -spawn -child-flags 4 starts its copy suspended and
// never resumes it, so the copy never prints.
TEST_F(InlineHook, AChildItsCallerCreatedSuspendedStaysSuspended) {
    const auto output = m_dir.path() / "spawner.out";
    SuspendedChild child(
        {native(test::fixture("spawner")).string(), "-spawn", "-child-flags", "4", "-wait", "30s"},
        output);
    ASSERT_TRUE(child.started()) << win32_error_text(child.error());
    Collector events;
    const auto session = start_hooked(child, events);
    ASSERT_TRUE(session);
    ASSERT_TRUE(test::eventually(
        [&] { return read_text(output).find("parent ") != std::string::npos; }, 20s))
        << read_text(output);
    std::this_thread::sleep_for(2s); // a resumed copy prints "child PID" within milliseconds
    const auto text = read_text(output);
    EXPECT_EQ(text.find("\nchild "), std::string::npos) << text;
    EXPECT_NE(text.rfind("child ", 0), 0u) << text;
}

// When the service's process exits and a child of it lives on (holding the pipe), flush() returns
// on the exit record the process sent as it ended, not after its 1 s bound: a busy event loop
// is not stalled by every such exit.
TEST_F(InlineHook, FlushReturnsOnTheExitRecordWhileAChildKeepsThePipe) {
    const auto output = m_dir.path() / "spawner.out";
    SuspendedChild child({native(test::fixture("spawner")).string(), "-spawn", "-wait", "300ms",
                          "-child-wait", "30s"},
                         output);
    ASSERT_TRUE(child.started()) << win32_error_text(child.error());
    Collector events;
    const auto session = start_hooked(child, events);
    ASSERT_TRUE(session);
    ASSERT_EQ(WaitForSingleObject(child.process(), 20000), WAIT_OBJECT_0) << read_text(output);
    ASSERT_NE(read_text(output).find(" child "), std::string::npos)
        << "the child must outlive the service: " << read_text(output);
    const auto start = std::chrono::steady_clock::now();
    session->flush();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, 900ms) << "flush waited for the pipe, held by the child";
}

TEST_F(InlineHook, ServiceKeepsRunningWhenGolaunchStopsListening) {
    const std::uint16_t first = pick_free_port();
    const std::uint16_t late = pick_free_port();
    const auto output = m_dir.path() / "binder.out";
    SuspendedChild child({binder(), "-addr", "127.0.0.1:" + std::to_string(first), "-later", "1s",
                          "-later-addr", "127.0.0.1:" + std::to_string(late)},
                         output);
    ASSERT_TRUE(child.started()) << win32_error_text(child.error());
    Collector events;
    auto session = hooked(child, events);
    ASSERT_TRUE(session);
    session->attach(static_cast<pid_t>(child.pid()));
    child.resume();
    ASSERT_TRUE(events.wait_for(
        [&](const BindEvent& e) { return e.call == BindCall::listen && e.port == first; }, 20s))
        << events.dump();

    session.reset(); // the pipe closes: the hook's next write fails and reporting stops

    // The late listen (1 s after the first) still happens and succeeds.
    EXPECT_TRUE(test::eventually([&] { return test::can_connect(late); }, 15s))
        << read_text(output);
    EXPECT_TRUE(child.running());
}

TEST_F(InlineHook, RefusedPrologueFailsTheSessionWithTheReason) {
    const auto output = m_dir.path() / "binder.out";
    SuspendedChild child({binder(), "-addr", "127.0.0.1:" + std::to_string(pick_free_port())},
                         output);
    ASSERT_TRUE(child.started()) << win32_error_text(child.error());
    Collector first_events;
    auto first = hooked(child, first_events);
    ASSERT_TRUE(first);
    ASSERT_NO_THROW(first->attach(static_cast<pid_t>(child.pid())));

    // A second copy of the DLL (another module) now finds ws2_32!bind starting with our own
    // `jmp rel32`: a relative branch it must refuse to copy. Nothing more is patched.
    const auto copy = m_dir.path() / "golaunch_hook_copy.dll";
    std::filesystem::copy_file(hook_dll(), copy);
    std::string why_not;
    auto second_monitor = create_inline_hook_monitor(copy, why_not);
    ASSERT_TRUE(second_monitor) << why_not;
    Collector second_events;
    auto second = second_monitor->prepare("binder.exe", second_events.handler(), why_not);
    ASSERT_TRUE(second);
    EXPECT_EQ(second->child_hook()->before_resume(child.process(), child.pid()), 0u);
    try {
        second->attach(static_cast<pid_t>(child.pid()));
        FAIL() << "attach succeeded on a refused prologue";
    } catch (const Error& error) {
        const std::string message = error.what();
        EXPECT_NE(message.find("ws2_32!bind: cannot patch its prologue: relative branch at +0x0 "
                               "(opcode 0xe9)"),
                  std::string::npos)
            << message;
    }

    // The first hook still works: the service runs and is reported once.
    child.resume();
    EXPECT_TRUE(
        first_events.wait_for([](const BindEvent& e) { return e.call == BindCall::listen; }, 20s))
        << first_events.dump() << read_text(output);
    EXPECT_TRUE(child.running());
}

// A measurement, not a check (run it explicitly: --gtest_also_run_disabled_tests
// --gtest_filter='*BenchPerBind*'): bindloop's listen+close rounds with and without the hook,
// alternated, in the same run. Under Wine the numbers are Wine's, not Windows'.
TEST_F(InlineHook, DISABLED_BenchPerBindCost) {
    constexpr int k_rounds = 1000;
    const std::string loop = native(test::fixture("bindloop")).string();
    auto run = [&](bool hook, std::size_t& events_seen) {
        const auto output = m_dir.path() / (hook ? "hooked.out" : "plain.out");
        SuspendedChild child({loop, "-n", std::to_string(k_rounds)}, output);
        EXPECT_TRUE(child.started());
        Collector events;
        std::unique_ptr<MonitorSession> session;
        if (hook) {
            session = hooked(child, events);
            session->attach(static_cast<pid_t>(child.pid()));
        }
        child.resume();
        EXPECT_EQ(WaitForSingleObject(child.process(), 120000), WAIT_OBJECT_0);
        const auto text = read_text(output);
        const auto at = text.find("ns_per_round ");
        EXPECT_NE(at, std::string::npos) << text;
        events.wait_for([&](const BindEvent&) { return false; }, 200ms); // let the reader drain
        events_seen = events.count();
        return at == std::string::npos ? 0.0 : std::stod(text.substr(at + 13));
    };
    std::vector<double> plain;
    std::vector<double> hooked_runs;
    std::size_t events_seen = 0;
    for (int i = 0; i < 5; ++i) {
        std::size_t ignored = 0;
        plain.push_back(run(false, ignored));
        hooked_runs.push_back(run(true, events_seen));
    }
    std::sort(plain.begin(), plain.end());
    std::sort(hooked_runs.begin(), hooked_runs.end());
    const double base = plain[2];
    const double with_hook = hooked_runs[2];
    std::printf("bench inline hook (Wine): %d listen+close rounds, median of 5: plain %.1f us, "
                "hooked %.1f us per round (ratio %.2f); extra per hooked call (bind or listen) "
                "%.1f us; events in the last hooked run: %zu\n",
                k_rounds, base / 1000, with_hook / 1000, with_hook / base,
                (with_hook - base) / 2000, events_seen);
    EXPECT_GE(events_seen, static_cast<std::size_t>(2 * k_rounds));
}

TEST_F(InlineHook, AttachWithoutInjectionFailsCleanly) {
    Collector events;
    std::string why_not;
    auto session = m_monitor->prepare("binder.exe", events.handler(), why_not);
    ASSERT_TRUE(session);
    EXPECT_THROW(session->attach(1234), Error);
}

TEST(InlineHookMonitor, MissingDllIsExplained) {
    std::string why_not;
    EXPECT_FALSE(create_inline_hook_monitor("Z:\\nonexistent\\golaunch_hook.dll", why_not));
    EXPECT_NE(why_not.find("golaunch_hook.dll not found"), std::string::npos) << why_not;
}

TEST(InlineHookMonitor, LinuxBackendsAreUsageErrorsOnWindows) {
    std::string warning;
    for (const auto kind : {MonitorKind::notify, MonitorKind::ptrace}) {
        try {
            create_bind_monitor(kind, warning);
            ADD_FAILURE() << to_string(kind) << " accepted";
        } catch (const Error& error) {
            EXPECT_EQ(error.code(), ExitCode::usage);
            EXPECT_NE(std::string(error.what()).find("Windows"), std::string::npos);
        }
    }
    EXPECT_FALSE(create_bind_monitor(MonitorKind::poll, warning));
}

} // namespace
} // namespace golaunch
