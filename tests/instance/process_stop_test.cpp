#include "instance/process_stop.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

// What /proc says about the fixture server the test started; nullopt when it did not start
// (no pidfile within 10 s) or is already gone.
std::optional<ProcessInfo> started(const test::FixtureServer& server) {
    return server.pid > 0 ? read_process_info(server.pid) : std::nullopt;
}

TEST(ProcessStop, SigtermStopsAWellBehavedProcess) {
    test::FixtureServer server;
    const auto info = started(server);
    ASSERT_TRUE(info) << "the fixture server did not start";
    const auto outcome = stop_process(*info, false, 30000ms); // returns once it is gone
    EXPECT_TRUE(outcome.stopped);
    EXPECT_FALSE(outcome.killed);
    EXPECT_FALSE(test::pid_running(server.pid));
    EXPECT_NE(outcome.text.find("with SIGTERM"), std::string::npos) << outcome.text;
    EXPECT_NE(test::read_file(server.dir.path() / "out.log").find("got terminated"),
              std::string::npos);
}

TEST(ProcessStop, SigkillAfterTheGraceWhenSigtermIsIgnored) {
    test::TempDir dir;
    const auto port = test::pick_free_port();
    const auto pidfile = dir.path() / "pid";
    test::ChildProcess child({test::fixture("httpserver"), "-ignore-term", "-addr",
                              "127.0.0.1:" + std::to_string(port), "-pidfile", pidfile.string()});
    ASSERT_TRUE(test::eventually([&] { return std::filesystem::exists(pidfile); }, 10s));
    const auto info = read_process_info(child.pid());
    ASSERT_TRUE(info);
    const auto start = std::chrono::steady_clock::now();
    const auto outcome = stop_process(*info, false, 300ms);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(outcome.stopped);
    EXPECT_TRUE(outcome.killed);
    EXPECT_GE(took, 300ms);
    // The 300 ms grace and the kill, with room for a loaded machine; a hang fails.
    EXPECT_LT(took, 4500ms);
    EXPECT_FALSE(test::pid_running(child.pid()));
}

TEST(ProcessStop, AReusedPidIsLeftAlone) {
    test::FixtureServer server;
    auto info = started(server);
    ASSERT_TRUE(info) << "the fixture server did not start";
    info->start_ticks += 1; // what we saw was another process with this pid
    const auto outcome = stop_process(*info, true, 200ms);
    EXPECT_TRUE(outcome.stopped); // "that" process is gone
    EXPECT_NE(outcome.text.find("already exited"), std::string::npos);
    EXPECT_TRUE(test::pid_running(server.pid));
    EXPECT_NE(test::http_get(server.port).find("hello from holder"), std::string::npos);
}

TEST(ProcessStop, GroupOnlyWhenEveryMemberCarriesTheSameMark) {
    test::FixtureServer unmarked;
    const auto info = started(unmarked);
    ASSERT_TRUE(info) << "the fixture server did not start";
    // No mark: whole_group is not honoured, only the pid is signalled.
    const auto outcome = stop_process(*info, true, 30000ms);
    EXPECT_TRUE(outcome.stopped);
    EXPECT_FALSE(outcome.signalled_group);

    test::FixtureServer marked({"GOLAUNCH_PID=1"});
    const auto marked_info = started(marked);
    ASSERT_TRUE(marked_info) << "the fixture server did not start";
    const auto group = stop_process(*marked_info, true, 30000ms);
    EXPECT_TRUE(group.stopped);
    EXPECT_TRUE(group.signalled_group);
    EXPECT_NE(group.text.find("process group " + std::to_string(marked.pid)), std::string::npos)
        << group.text;
}

} // namespace
} // namespace golaunch
