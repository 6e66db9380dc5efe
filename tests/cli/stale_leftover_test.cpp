// Our own leftovers are ours: a process that a cleanly exited run of this manifest left behind
// (a daemon that escaped its process group where no cgroup held it) is a stale instance of this
// project for stop-stale, `fix` and `check`, although that golaunch is gone and exited cleanly.
// A process whose mark names another project, or a golaunch this project never recorded, is
// never touched. End to end with the real binary; GOLAUNCH_NO_CGROUPS=1 makes the first run use
// process groups, which a `setsid -f` escapes.
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

// Runs app.toml once with a one-shot service that leaves an http server on `port` running in a
// session of its own, without cgroups, and exits cleanly. Returns the server's pid.
pid_t leave_a_daemon(const TempDir& dir, std::uint16_t port, pid_t& golaunch_pid) {
    const auto pidfile = dir.path() / "daemon.pid";
    dir.write("app.toml",
              header() + "[services.seed]\nshell = " +
                  toml_quoted("setsid -f sh -c 'echo $$$$ > " + pidfile.string() + "; exec \"" +
                              fixture("httpserver") +
                              "\" -name leftover -addr 127.0.0.1:" + std::to_string(port) +
                              "'; while [ ! -s " + pidfile.string() + " ]; do sleep 0.02; done") +
                  "\nrestart = \"no\"\n");
    ::setenv("GOLAUNCH_NO_CGROUPS", "1", 1);
    // The one-shot finishes cleanly, and golaunch with it: nothing is left to supervise.
    GolaunchRun run(dir, {"run", (dir.path() / "app.toml").string(), "--json", "--no-network"});
    ::unsetenv("GOLAUNCH_NO_CGROUPS");
    golaunch_pid = run.pid();
    const auto status = run.wait_for_exit(20s);
    EXPECT_TRUE(status && exit_code_of(*status) == 0) << run.output();
    EXPECT_TRUE(run.wait_for_event("containment", "", 0ms)) << "the fallback is said once";
    const pid_t daemon = wait_for_pidfile(pidfile, 10s);
    EXPECT_TRUE(eventually([&] { return can_connect(port); }, 10s)) << "the daemon listens";
    return daemon;
}

class StaleLeftover : public ::testing::Test {
  protected:
    void TearDown() override { kill_marked(m_golaunch_pid); }
    pid_t m_golaunch_pid = 0;
};

TEST_F(StaleLeftover, OfACleanRunIsStoppedByStopStaleAndTheServiceServesOnItsPort) {
    TempDir dir;
    const auto port = pick_free_port();
    const pid_t daemon = leave_a_daemon(dir, port, m_golaunch_pid);
    ASSERT_GT(daemon, 0);
    ASSERT_TRUE(pid_running(daemon)) << "the daemon escaped the clean exit";
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
    const pid_t daemon = leave_a_daemon(dir, port, m_golaunch_pid);
    ASSERT_GT(daemon, 0);
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
    const pid_t daemon = leave_a_daemon(dir, port, m_golaunch_pid);
    ASSERT_GT(daemon, 0);
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
