// run_command on Windows, with real processes: the Go fixtures built for GOOS=windows.
#include "platform/command_output.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

TEST(CommandOutputWin32, CollectsStderrAndTheExitCode) {
    const auto result =
        run_command({test::fixture("crashloop"), "-after", "10ms", "-code", "7"}, 20s);
    ASSERT_TRUE(result.started) << result.error;
    EXPECT_FALSE(result.timed_out);
    EXPECT_EQ(result.exit_code, 7);
    EXPECT_NE(result.err.find("crashloop exiting with status 7"), std::string::npos) << result.err;
}

TEST(CommandOutputWin32, CollectsStdoutOfACommandStillRunningAtTheDeadline) {
    const auto port = test::pick_free_port();
    // binder prints its -addr back once it listens, then runs until it is killed.
    const auto result = run_command(
        {test::fixture("binder"), "-addr", "127.0.0.1:" + std::to_string(port), "-exit-on-error"},
        3s);
    ASSERT_TRUE(result.started) << result.error;
    EXPECT_NE(result.out.find("listen 127.0.0.1:" + std::to_string(port) + " ok"),
              std::string::npos)
        << result.out;
}

TEST(CommandOutputWin32, KillsTheWholeCommandAtTheDeadline) {
    const auto port = test::pick_free_port();
    const auto start = std::chrono::steady_clock::now();
    const auto result = run_command(
        {test::fixture("binder"), "-addr", "127.0.0.1:" + std::to_string(port)}, 1500ms);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    ASSERT_TRUE(result.started) << result.error;
    EXPECT_TRUE(result.timed_out);
    EXPECT_LT(elapsed, 10s);
    EXPECT_NE(result.out.find("listen 127.0.0.1:" + std::to_string(port) + " ok"),
              std::string::npos)
        << "it ran and listened: " << result.out;
    EXPECT_FALSE(test::can_connect(port)) << "the listener died with the command";
}

TEST(CommandOutputWin32, FindsAnExeInPathWithoutItsExtension) {
    const std::string dir =
        std::filesystem::path(test::fixture("crashloop")).parent_path().string();
    const std::string path = "C:\\does-not-exist;" + dir;
    const auto found = find_in_path("crashloop", path);
    EXPECT_EQ(std::filesystem::path(found).filename(), "crashloop.exe") << found;
    EXPECT_EQ(find_in_path("no-such-program-golaunch", path), "");
}

TEST(CommandOutputWin32, UsesThePathOfTheGivenEnvironment) {
    const std::string dir =
        std::filesystem::path(test::fixture("crashloop")).parent_path().string();
    const auto result = run_command({"crashloop", "-after", "1ms", "-code", "4"}, 20s,
                                    {"Path=" + dir, "SystemRoot=C:\\windows"});
    ASSERT_TRUE(result.started) << result.error;
    EXPECT_EQ(result.exit_code, 4);
    const auto missing = run_command({"crashloop"}, 5s, {"PATH=C:\\does-not-exist"});
    EXPECT_FALSE(missing.started);
    EXPECT_NE(missing.error.find("not found"), std::string::npos) << missing.error;
}

} // namespace
} // namespace golaunch
