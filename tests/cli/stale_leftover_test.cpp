// Our own leftovers are ours: a process carrying the mark of a cleanly exited run of this
// manifest (GOLAUNCH_PID of that golaunch, this project's GOLAUNCH_PROJECT) is a stale instance
// of this project for stop-stale, `fix` and `check`, although that golaunch is gone and exited
// cleanly. A process whose mark names another project, or a golaunch this project never
// recorded, is never touched. End to end with the real binary.
//
// Where golaunch can see a process of its run (under it: a cgroup, or adopted as the child
// subreaper), it stops it with its service, so a clean run leaves nothing. What it cannot see is
// a marked process outside its tree: one a service had another supervisor start (systemd-run,
// a container), inheriting the mark through the environment. The test plays that supervisor:
// it starts the marked server itself, while the run is up.
#include "support/golaunch_run.hpp"
#include "support/process_set.hpp"
#include "support/test_support.hpp"

#include "manifest/project_id.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdlib>
#include <fstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

std::string header(const std::string& policy = "") {
    return "version = 1\nname = \"leftover\"\n[defaults]\nstop_grace = \"2s\"\n" + policy;
}

std::string web_service(std::uint16_t port) {
    return "[services.web]\ncmd = [" + toml_quoted(fixture("httpserver")) +
           ", \"-name\", \"web\"]\nargs = [\"-addr\", \"127.0.0.1:${ports.web.http}\"]\n"
           "ports = { http = " +
           std::to_string(port) + " }\n";
}

// Runs app.toml once: its one-shot service waits until the test has started an http server on
// `port` that carries this run's mark, then exits cleanly, and golaunch with it. The server
// outlives the run. Returns it.
std::unique_ptr<ChildProcess> leave_a_leftover(const TempDir& dir, std::uint16_t port,
                                               pid_t& golaunch_pid) {
    const auto go = dir.path() / "go";
    const auto manifest = dir.write(
        "app.toml", header() + "[services.seed]\nshell = " +
                        toml_quoted("while [ ! -e '" + go.string() + "' ]; do sleep 0.02; done") +
                        "\nrestart = \"no\"\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    golaunch_pid = run.pid();
    EXPECT_TRUE(run.wait_for_event("started", "seed", 20s)) << run.output();
    auto server = std::make_unique<ChildProcess>(
        std::vector<std::string>{fixture("httpserver"), "-name", "leftover", "-addr",
                                 "127.0.0.1:" + std::to_string(port)},
        "",
        std::vector<std::string>{"GOLAUNCH_PID=" + std::to_string(run.pid()),
                                 "GOLAUNCH_SERVICE=seed",
                                 "GOLAUNCH_PROJECT=" + project_id(manifest)});
    EXPECT_TRUE(eventually([&] { return can_connect(port); }, 10s)) << "the leftover listens";
    std::ofstream(go).put('\n');
    // The one-shot finishes cleanly, and golaunch with it: nothing is left to supervise.
    const auto status = run.wait_for_exit(20s);
    EXPECT_TRUE(status && exit_code_of(*status) == 0) << run.output();
    return server;
}

class StaleLeftover : public ::testing::Test {
  protected:
    void TearDown() override { kill_marked(m_golaunch_pid); }
    pid_t m_golaunch_pid = 0;
};

TEST_F(StaleLeftover, OfACleanRunIsStoppedByStopStaleAndTheServiceServesOnItsPort) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto leftover = leave_a_leftover(dir, port, m_golaunch_pid);
    const pid_t daemon = leftover->pid();
    ASSERT_TRUE(pid_running(daemon)) << "the leftover outlived the clean exit";
    dir.write("app.toml", header("on_port_conflict = \"stop-stale\"\n") + web_service(port));

    GolaunchRun check(dir, {"check", (dir.path() / "app.toml").string(), "--no-network"});
    ASSERT_TRUE(check.wait_for_exit(20s));
    EXPECT_NE(check.output().find("left by golaunch pid " + std::to_string(m_golaunch_pid)),
              std::string::npos)
        << "check names it as this project's stale instance: " << check.output();

    GolaunchRun run(dir, {"run", (dir.path() / "app.toml").string(), "--json", "--no-network"});
    const auto ready = run.wait_for_event("ready", "web", 20s);
    ASSERT_TRUE(ready) << run.output();
    EXPECT_FALSE(pid_running(daemon));
    EXPECT_NE(http_get(port).find("hello from web"), std::string::npos);
    run.signal(SIGINT);
    EXPECT_TRUE(run.wait_for_exit(10s));
}

TEST_F(StaleLeftover, OfACleanRunIsStoppedByFix) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto leftover = leave_a_leftover(dir, port, m_golaunch_pid);
    const pid_t daemon = leftover->pid();
    dir.write("app.toml", header() + web_service(port));
    GolaunchRun fix(dir, {"fix", (dir.path() / "app.toml").string(), "--no-network"});
    const auto status = fix.wait_for_exit(20s);
    ASSERT_TRUE(status) << fix.output();
    EXPECT_EQ(exit_code_of(*status), 0) << fix.output();
    EXPECT_NE(fix.output().find("stopped golaunch's own stale process holding port " +
                                std::to_string(port)),
              std::string::npos)
        << fix.output();
    EXPECT_FALSE(pid_running(daemon));
}

// The same leftover seen from another project (another manifest path) is not that project's:
// fix moves the other project's port instead, and the leftover keeps serving.
TEST_F(StaleLeftover, IsNotAnotherProjectsToStop) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto leftover = leave_a_leftover(dir, port, m_golaunch_pid);
    const pid_t daemon = leftover->pid();
    TempDir other;
    const auto manifest = other.write("app.toml", header() + web_service(port));
    GolaunchRun fix(other, {"fix", manifest.string(), "--no-network"});
    ASSERT_TRUE(fix.wait_for_exit(20s)) << fix.output();
    EXPECT_EQ(fix.output().find("stopped golaunch's own stale process"), std::string::npos)
        << fix.output();
    EXPECT_TRUE(pid_running(daemon));
    EXPECT_NE(http_get(port).find("hello from leftover"), std::string::npos);
}

// A forged mark: this project's id, but a golaunch pid that this project never recorded.
TEST_F(StaleLeftover, AForgedMarkIsNeverStopped) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", header() + web_service(1));
    FixtureServer forged(
        {"GOLAUNCH_PID=1", "GOLAUNCH_SERVICE=web", "GOLAUNCH_PROJECT=" + project_id(manifest)},
        "forged");
    ASSERT_GT(forged.pid, 0);
    dir.write("app.toml", header("on_port_conflict = \"stop-stale\"\n") + web_service(forged.port));
    GolaunchRun fix(dir, {"fix", manifest.string(), "--no-network"});
    ASSERT_TRUE(fix.wait_for_exit(20s)) << fix.output();
    EXPECT_EQ(fix.output().find("stopped golaunch's own stale process"), std::string::npos)
        << fix.output();
    EXPECT_TRUE(pid_running(forged.pid));
}

} // namespace
} // namespace golaunch::test
