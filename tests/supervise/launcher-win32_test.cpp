// The Windows launcher under real processes: CreateProcessW, pipes read by Asio, the Job Object
// that holds every descendant, CTRL_BREAK then TerminateJobObject. Runs under Wine in CI.
#include "supervise/exit_status.hpp"
#include "supervise/launcher.hpp"
#include "supervise/line_reader.hpp"
#include "util/error.hpp"
#include "util/wide_text.hpp"

#include <gtest/gtest.h>

#include <windows.h>

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

bool running_under_wine() {
    HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
    return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

// GOLAUNCH_FIXTURE_DIR is a Unix path in the cross build: Wine shows / as drive Z:.
std::filesystem::path fixture_exe(const std::string& name) {
    std::string dir = GOLAUNCH_FIXTURE_DIR;
    if (!dir.empty() && dir.front() == '/') {
        dir = "Z:" + dir;
    }
    for (char& c : dir) {
        c = c == '/' ? '\\' : c;
    }
    return std::filesystem::path(to_wide(dir)) / to_wide(name + ".exe");
}

std::string from_hex(const std::string& hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    }
    return out;
}

// A launched fixture whose output lines are collected on the test's event loop.
struct Running {
    boost::asio::io_context io;
    std::unique_ptr<LaunchedProcess> launched;
    std::vector<std::string> out;
    std::vector<std::string> err;
    int open_streams = 2;
    bool exited = false;
    unsigned long exit_code = 0;

    explicit Running(LaunchSpec spec) {
        if (spec.env.empty()) {
            spec.env = {"SystemRoot=C:\\windows", "PATH=C:\\windows\\system32"};
        }
        launched = launch_process(io, spec);
        for (auto* pipe : {&launched->out, &launched->err}) {
            auto& lines = pipe == &launched->out ? out : err;
            auto reader = std::make_shared<LineReader>(
                std::move(*pipe), [&lines](const std::string& line) { lines.push_back(line); },
                [this] { --open_streams; });
            reader->start();
        }
        launched->process.async_wait([this](boost::system::error_code, int) {
            exited = true;
            exit_code = launched->process.native_exit_code();
        });
    }

    // Runs the loop until `done` or the time is up; returns done().
    bool run_until(const std::function<bool()>& done, std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done() && std::chrono::steady_clock::now() < deadline) {
            io.run_for(20ms);
            io.restart();
        }
        return done();
    }

    // "parent P child C": both pids of a -spawn run.
    bool spawned_pids(DWORD& parent, DWORD& child) {
        if (!run_until([&] { return !out.empty(); }, 15s)) {
            return false;
        }
        std::istringstream words(out.front());
        std::string parent_word, child_word;
        words >> parent_word >> parent >> child_word >> child;
        return parent_word == "parent" && child_word == "child" && parent > 0 && child > 0;
    }
};

LaunchSpec spawner(std::vector<std::string> args) {
    LaunchSpec spec;
    spec.executable = fixture_exe("spawner");
    spec.args = std::move(args);
    spec.cwd = std::filesystem::temp_directory_path();
    return spec;
}

// A handle opened while the process runs: its end can be waited for even after its pid is reused.
struct Watched {
    HANDLE handle = nullptr;
    explicit Watched(DWORD pid) : handle(::OpenProcess(SYNCHRONIZE, FALSE, pid)) {}
    ~Watched() {
        if (handle != nullptr) {
            ::CloseHandle(handle);
        }
    }
    bool ends_within(std::chrono::milliseconds limit) const {
        return ::WaitForSingleObject(handle, static_cast<DWORD>(limit.count())) == WAIT_OBJECT_0;
    }
};

TEST(LauncherWin32, OutputLinesArriveThroughThePipesAndTheExitCodeIsReported) {
    Running run(spawner({"-exit-code", "7"}));
    ASSERT_TRUE(run.run_until([&] { return run.exited && run.open_streams == 0; }, 15s));
    EXPECT_EQ(run.out, std::vector<std::string>{"out line"});
    EXPECT_EQ(run.err, std::vector<std::string>{"err line"});
    EXPECT_EQ(run.exit_code, 7u);
    EXPECT_EQ(describe_exit(static_cast<int>(run.exit_code)), "exited with status 7");
    EXPECT_FALSE(exited_successfully(static_cast<int>(run.exit_code)));
}

TEST(LauncherWin32, ArgumentsEnvironmentAndDirectoryArriveUnchanged) {
    const std::vector<std::string> tricky{"plain",      "with space",  "",
                                          "say \"hi\"", "back\\slash", "trailing\\",
                                          "two\\\\\"q", "tab\there",   "h\xc3\xa9llo w\xc3\xb6rld",
                                          "%PATH%"};
    auto spec = spawner({"-echo"});
    spec.args.insert(spec.args.end(), tricky.begin(), tricky.end());
    const auto dir = std::filesystem::temp_directory_path() / L"golaunch d\u00efr";
    std::filesystem::create_directories(dir);
    spec.cwd = dir;
    spec.env = {"SystemRoot=C:\\windows", "SPAWNER_ENV=a b=c \xe2\x82\xac", "zeta=1", "Alpha=2"};
    Running run(spec);
    ASSERT_TRUE(run.run_until([&] { return run.exited && run.open_streams == 0; }, 15s));
    std::vector<std::string> args;
    std::string env, cwd;
    for (const auto& line : run.out) {
        const auto space = line.find(' ');
        const std::string kind = line.substr(0, space);
        const std::string value = from_hex(line.substr(space + 1));
        (kind == "arg" ? args.emplace_back() : kind == "env" ? env : cwd) = value;
    }
    EXPECT_EQ(args, tricky);
    EXPECT_EQ(env, "a b=c \xe2\x82\xac");
    EXPECT_TRUE(std::filesystem::equivalent(std::filesystem::path(to_wide(cwd)), dir)) << cwd;
    EXPECT_EQ(run.exit_code, 0u);
    std::filesystem::remove_all(dir);
}

TEST(LauncherWin32, AFailedStartGivesTheWin32ErrorText) {
    boost::asio::io_context io;
    LaunchSpec spec;
    spec.executable = std::filesystem::temp_directory_path() / L"no-such-program-golaunch.exe";
    spec.cwd = std::filesystem::temp_directory_path();
    try {
        launch_process(io, spec);
        FAIL() << "launch_process did not throw";
    } catch (const Error& error) {
        const std::string text = error.what();
        EXPECT_NE(text.find("cannot start "), std::string::npos) << text;
        EXPECT_NE(text.find(win32_error_text(ERROR_FILE_NOT_FOUND)), std::string::npos) << text;
        EXPECT_NE(error.hint().find("check the path"), std::string::npos);
    }
}

TEST(LauncherWin32, TerminatingTheJobEndsTheServiceAndItsGrandchild) {
    Running run(spawner({"-spawn"}));
    DWORD parent = 0, child = 0;
    ASSERT_TRUE(run.spawned_pids(parent, child)) << (run.out.empty() ? "" : run.out.front());
    EXPECT_EQ(parent, static_cast<DWORD>(run.launched->pid));
    const Watched parent_process(parent), child_process(child);
    ASSERT_NE(child_process.handle, nullptr);
    EXPECT_TRUE(run.launched->tree.alive());

    run.launched->tree.kill();
    EXPECT_TRUE(parent_process.ends_within(5s));
    EXPECT_TRUE(child_process.ends_within(5s));
    ASSERT_TRUE(run.run_until([&] { return run.exited; }, 5s));
    EXPECT_EQ(run.exit_code, k_killed_exit_code);
    EXPECT_EQ(describe_exit(static_cast<int>(run.exit_code)),
              "terminated by golaunch (TerminateJobObject)");
    EXPECT_TRUE(run.run_until([&] { return !run.launched->tree.alive(); }, 5s));
}

// A service is everything it starts: a child created DETACHED_PROCESS (no console, the way a
// daemon starts) stays in the job, and one asking for CREATE_BREAKAWAY_FROM_JOB is refused (the
// job does not allow breaking away) or, if created, is still in the job: killing the job ends it.
class JobHoldsEveryChild : public ::testing::TestWithParam<unsigned long> {};

TEST_P(JobHoldsEveryChild, KillingTheJobEndsAChildThatTriedToLeave) {
    Running run(spawner({"-spawn", "-child-flags", std::to_string(GetParam())}));
    ASSERT_TRUE(run.run_until([&] { return !run.out.empty(); }, 15s));
    if (run.out.front().rfind("refused", 0) == 0) {
        EXPECT_EQ(GetParam(), static_cast<unsigned long>(CREATE_BREAKAWAY_FROM_JOB))
            << "only the breakaway may be refused: " << run.out.front();
        run.launched->tree.kill();
        return;
    }
    DWORD parent = 0, child = 0;
    ASSERT_TRUE(run.spawned_pids(parent, child)) << run.out.front();
    const Watched parent_process(parent), child_process(child);
    ASSERT_NE(child_process.handle, nullptr);
    EXPECT_FALSE(child_process.ends_within(200ms));
    run.launched->tree.kill();
    EXPECT_TRUE(parent_process.ends_within(5s));
    EXPECT_TRUE(child_process.ends_within(5s)) << "the child left the job";
}

INSTANTIATE_TEST_SUITE_P(LauncherWin32, JobHoldsEveryChild,
                         ::testing::Values(static_cast<unsigned long>(DETACHED_PROCESS),
                                           static_cast<unsigned long>(CREATE_BREAKAWAY_FROM_JOB)),
                         [](const auto& info) {
                             return std::string(info.param == DETACHED_PROCESS ? "detached"
                                                                               : "breakaway");
                         });

// What makes golaunch leave no orphans even when it is killed: the kill-on-close job.
TEST(LauncherWin32, ClosingTheJobKillsTheWholeTree) {
    auto run = std::make_unique<Running>(spawner({"-spawn"}));
    DWORD parent = 0, child = 0;
    ASSERT_TRUE(run->spawned_pids(parent, child));
    const Watched parent_process(parent), child_process(child);
    ASSERT_NE(child_process.handle, nullptr);
    EXPECT_FALSE(child_process.ends_within(200ms));

    run->launched->process.detach(); // no TerminateProcess from Boost: only the job's close acts
    run.reset();                     // the last handle of the job closes
    EXPECT_TRUE(parent_process.ends_within(5s));
    EXPECT_TRUE(child_process.ends_within(5s));
}

TEST(LauncherWin32, CtrlBreakStopsTheTreeElseTheJobIsTerminated) {
    Running run(spawner({"-spawn"}));
    DWORD parent = 0, child = 0;
    ASSERT_TRUE(run.spawned_pids(parent, child));
    const Watched parent_process(parent), child_process(child);

    const bool delivered = run.launched->tree.request_stop();
    const bool stopped = delivered && parent_process.ends_within(5s);
    if (!stopped) {
        // The escalation golaunch uses when CTRL_BREAK does not work: TerminateJobObject.
        run.launched->tree.kill();
        EXPECT_TRUE(parent_process.ends_within(5s));
        EXPECT_TRUE(child_process.ends_within(5s));
        if (running_under_wine()) {
            GTEST_SKIP() << "Wine does not deliver CTRL_BREAK to a child's process group ("
                         << (delivered ? "GenerateConsoleCtrlEvent succeeded but nothing arrived"
                                       : "GenerateConsoleCtrlEvent failed")
                         << "); verified the TerminateJobObject escalation instead";
        }
        FAIL() << "CTRL_BREAK did not stop the service within 5 s";
    }
    EXPECT_TRUE(child_process.ends_within(5s));
    ASSERT_TRUE(run.run_until([&] { return run.exited; }, 5s));
    EXPECT_EQ(run.exit_code, 0u); // the fixture exits 0 on os.Interrupt
}

} // namespace
} // namespace golaunch
