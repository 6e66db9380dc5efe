// A service is everything it starts: the reproductions of "a service is everything it starts"
// (daemons that call setsid, a child in a process group of its own, a server that daemonizes
// like `caddy start`), and signals that always end golaunch, whatever a service is doing.
// Every process of a run is found by golaunch's mark (GOLAUNCH_PID in its environment), which
// a daemon keeps when it leaves the process tree, and checked by pid and start time.
#include "support/golaunch_run.hpp"
#include "support/process_set.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <thread>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

// Kills what a failed run left (processes marked with its golaunch pid) at the end of a test.
class MarkedCleanup {
  public:
    explicit MarkedCleanup(pid_t golaunch_pid) : m_pid(golaunch_pid) {}
    ~MarkedCleanup() { kill_marked(m_pid); }
    MarkedCleanup(const MarkedCleanup&) = delete;
    MarkedCleanup& operator=(const MarkedCleanup&) = delete;

  private:
    pid_t m_pid;
};

std::string manifest_with(const std::string& service_body,
                          const std::string& defaults = "stop_grace = \"2s\"\n") {
    return "version = 1\nname = \"contained\"\n[defaults]\n" + defaults + "[services.svc]\n" +
           service_body;
}

// A healthy shell service that first starts a `setsid -f sleep 300` helper, then becomes the
// binder fixture listening on `port`.
std::string setsid_helper_then_binder(std::uint16_t port) {
    return manifest_with("shell = " +
                         toml_quoted("setsid -f sleep 300; exec '" + fixture("binder") +
                                     "' -addr 127.0.0.1:" + std::to_string(port)) +
                         "\nports = { http = " + std::to_string(port) + " }\n");
}

// A Python service that starts `sleep 300` in a process group of its own, then becomes the
// binder fixture listening on `port`.
std::string own_group_child_then_binder(std::uint16_t port) {
    return "import os, subprocess; subprocess.Popen(['sleep', '300'], process_group=0); "
           "os.execv('" +
           fixture("binder") + "', ['binder', '-addr', '127.0.0.1:" + std::to_string(port) + "'])";
}

// Ends golaunch with `signo` and expects the exit code for it within `within`, with none of
// `processes` left running when it has exited.
void expect_clean_exit(GolaunchRun& run, int signo, const ProcessSet& processes,
                       std::chrono::milliseconds within) {
    const auto sent = std::chrono::steady_clock::now();
    run.signal(signo);
    const auto status = run.wait_for_exit(within);
    ASSERT_TRUE(status) << "golaunch did not exit within " << within.count() << " ms of signal "
                        << signo << ":\n"
                        << run.output();
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - sent);
    EXPECT_EQ(exit_code_of(*status), 128 + signo) << run.output();
    const auto left = processes.still_running();
    EXPECT_TRUE(left.empty()) << "still running after golaunch exited (" << took.count()
                              << " ms): " << describe(left) << "\n"
                              << run.output();
}

// The first reproduction: a shell service that daemonizes python's http.server with
// `setsid -f`. Each attempt used to leave a listener behind, then golaunch printed "all
// services stopped" and stayed, deaf to SIGINT and SIGTERM.
TEST(Containment, SetsidDaemonOfAShellServiceIsTheServiceAndCtrlCStopsIt) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml",
        manifest_with("shell = \"setsid -f python3 -m http.server ${port} --bind 127.0.0.1\"\n"
                      "ports = { http = " +
                      std::to_string(port) + " }\nmax_restarts = 1\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const MarkedCleanup cleanup(run.pid());
    const auto ready = run.wait_for_event("ready", "svc", 20s);
    ASSERT_TRUE(ready) << run.output();
    const auto daemonized = run.wait_for_event("daemonized", "svc", 5s);
    ASSERT_TRUE(daemonized) << "golaunch says once that it daemonized: " << run.output();
    EXPECT_TRUE(eventually([&] { return can_connect(port); }, 5s));
    ProcessSet processes;
    processes.add_marked(run.pid());
    EXPECT_GE(processes.size(), 1u) << "the daemon carries golaunch's mark";
    for (const auto& event : run.events()) {
        EXPECT_NE(event.value("event", ""), "restarting")
            << "a daemonized server is not an exit to restart: " << run.output();
    }
    expect_clean_exit(run, SIGINT, processes, 20s);
    EXPECT_TRUE(eventually([&] { return !can_connect(port); }, 5s));
}

// A healthy service whose shell starts a `setsid` helper: the helper is part of the service.
TEST(Containment, SetsidHelperOfAHealthyServiceStopsWithItOnSigterm) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write("app.toml", setsid_helper_then_binder(port));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const MarkedCleanup cleanup(run.pid());
    ASSERT_TRUE(run.wait_for_event("ready", "svc", 20s)) << run.output();
    ProcessSet processes;
    processes.add_marked(run.pid());
    EXPECT_GE(processes.size(), 2u) << "the binder and the setsid'd sleep: " << run.output();
    expect_clean_exit(run, SIGTERM, processes, 20s);
}

// A child in a process group of its own (Go's Setpgid, Python's process_group=0), ended by
// Ctrl-C (golaunch stops it) or by kill -9 of golaunch (its orphan guard does).
class OwnProcessGroupChild : public ::testing::TestWithParam<int> {};

TEST_P(OwnProcessGroupChild, IsStoppedWithItsService) {
    const int signo = GetParam();
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml", manifest_with("cmd = [\"python3\", \"-c\", " +
                                  toml_quoted(own_group_child_then_binder(port)) +
                                  "]\nports = { http = " + std::to_string(port) + " }\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const MarkedCleanup cleanup(run.pid());
    ASSERT_TRUE(run.wait_for_event("ready", "svc", 20s)) << run.output();
    ProcessSet processes;
    processes.add_marked(run.pid());
    EXPECT_GE(processes.size(), 2u) << run.output();
    if (signo != SIGKILL) {
        expect_clean_exit(run, signo, processes, 20s);
        return;
    }
    run.signal(SIGKILL);
    ASSERT_TRUE(run.wait_for_exit(20s));
    const auto left = processes.wait_all_gone(20s);
    EXPECT_TRUE(left.empty()) << "left behind after kill -9: " << describe(left);
}

INSTANTIATE_TEST_SUITE_P(Containment, OwnProcessGroupChild, ::testing::Values(SIGINT, SIGKILL),
                         [](const auto& info) {
                             return std::string(info.param == SIGINT ? "ctrl_c" : "kill_nine");
                         });

// Ctrl-C or SIGTERM while a service waits out its restart backoff, with every monitor mode:
// golaunch printed "all services stopped" and stayed in epoll_wait for ever.
class SignalDuringBackoff : public ::testing::TestWithParam<std::tuple<std::string, int>> {};

TEST_P(SignalDuringBackoff, EndsGolaunchAtOnce) {
    const auto& [monitor, signo] = GetParam();
    TempDir dir;
    const auto manifest =
        dir.write("app.toml", manifest_with("shell = \"exit 1\"\n"
                                            "backoff = { initial = \"60s\", max = \"60s\" }\n"));
    GolaunchRun run(dir,
                    {"run", manifest.string(), "--json", "--no-network", "--monitor", monitor});
    const MarkedCleanup cleanup(run.pid());
    ASSERT_TRUE(run.wait_for_event("restarting", "svc", 15s)) << run.output();
    // Well inside the 60 s backoff it must not wait out, with room for a loaded machine.
    ProcessSet processes;
    expect_clean_exit(run, signo, processes, 20s);
}

INSTANTIATE_TEST_SUITE_P(Monitors, SignalDuringBackoff,
                         ::testing::Combine(::testing::Values("auto", "notify", "ptrace", "poll"),
                                            ::testing::Values(SIGINT, SIGTERM)),
                         [](const auto& info) {
                             return std::get<0>(info.param) +
                                    (std::get<1>(info.param) == SIGINT ? "_sigint" : "_sigterm");
                         });

// A server that daemonizes like `caddy start`: its main process exits 0 once the detached copy
// listens. golaunch says once that it daemonized, and from then on the detached copy is the
// service: ready, and stopped by Ctrl-C.
TEST(Containment, GoServerThatDaemonizesLikeCaddyStartIsSupervisedAsAWhole) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto pidfile = dir.path() / "daemon.pid";
    const auto manifest = dir.write(
        "app.toml", manifest_with("cmd = [" + toml_quoted(fixture("daemonizer")) +
                                  ", \"-addr\", \"127.0.0.1:" + std::to_string(port) +
                                  "\", \"-pidfile\", " + toml_quoted(pidfile.string()) +
                                  "]\nports = { http = " + std::to_string(port) + " }\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const MarkedCleanup cleanup(run.pid());
    const auto daemonized = run.wait_for_event("daemonized", "svc", 20s);
    ASSERT_TRUE(daemonized) << run.output();
    ASSERT_TRUE(run.wait_for_event("ready", "svc", 10s)) << run.output();
    EXPECT_NE(http_get(port).find("hello from daemonizer"), std::string::npos);
    const pid_t daemon = wait_for_pidfile(pidfile, 5s);
    ASSERT_GT(daemon, 0);
    ProcessSet processes;
    EXPECT_TRUE(processes.add(daemon));
    processes.add_marked(run.pid());
    int daemonized_events = 0;
    for (const auto& event : run.events()) {
        daemonized_events += event.value("event", "") == "daemonized" ? 1 : 0;
    }
    EXPECT_EQ(daemonized_events, 1) << run.output();
    expect_clean_exit(run, SIGINT, processes, 20s);
}

// A service's cgroup is the same for each of its attempts. The stop_grace timer of an attempt
// that ended used to fire after the next attempt had started, when both were due at once: the
// loop handles the cgroup's "empty" report before expired timers, so the restart came first, the
// timer could no longer be cancelled, and it killed "an earlier tree of this service" by its
// cgroup: the new attempt, 22 ms after its start (seen in a stress run). golaunch is stopped
// (SIGSTOP) while both come due, so they are handled in one pass, in that order.
TEST(Containment, AnEndedAttemptsGraceTimerSparesTheNextAttemptInTheSameCgroup) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto mark = dir.path() / "second";
    // First attempt: a remnant that ignores SIGTERM and ends by itself after 4 s, and a failed
    // exit. Second attempt: the binder, listening.
    const std::string script = "if [ -e " + mark.string() + " ]; then exec '" + fixture("binder") +
                               "' -addr 127.0.0.1:" + std::to_string(port) + "; fi; touch " +
                               mark.string() + "; (trap '' TERM; exec sleep 4) & exit 1";
    const auto manifest = dir.write(
        "app.toml", manifest_with("shell = " + toml_quoted(script) +
                                      "\nports = { http = " + std::to_string(port) +
                                      " }\nrestart = \"on-failure\"\nmax_restarts = 1\n"
                                      "backoff = { initial = \"10ms\", max = \"10ms\" }\n",
                                  "stop_grace = \"3s\"\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const MarkedCleanup cleanup(run.pid());
    const auto starting = run.wait_for_event("starting", "", 20s);
    ASSERT_TRUE(starting) << run.output();
    if ((*starting).value("containment", "") != "cgroup") {
        run.signal(SIGKILL);
        GTEST_SKIP() << "no cgroup for the service here: attempts share no cgroup";
    }
    // The remnant holds the tree: golaunch waits for it (or for the grace) before restarting.
    ASSERT_TRUE(run.wait_for_event("restarting", "svc", 20s)) << run.output();
    const auto stopped_at = std::chrono::steady_clock::now();
    run.signal(SIGSTOP);
    // Resumed once the remnant has ended (4 s after it started) and the grace has run out (3 s
    // after the first attempt's exit); if the "restarting" event came so late that the grace
    // ran out before the stop, the timer did its work in time and the test passes anyway.
    std::this_thread::sleep_until(stopped_at + 4500ms);
    run.signal(SIGCONT);
    ASSERT_TRUE(run.wait_for_event("ready", "svc", 30s)) << "the second attempt was killed:\n"
                                                         << run.output();
    EXPECT_EQ(run.output().find("killed by SIGKILL"), std::string::npos) << run.output();
    ProcessSet processes;
    processes.add_marked(run.pid());
    expect_clean_exit(run, SIGINT, processes, 20s);
}

// The terminal closing: exit 129, and a second SIGHUP while a service ignores SIGTERM kills at
// once and says which signal it was.
TEST(Containment, SighupStopsWith129AndASecondOneKillsNamingSighup) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml", manifest_with("cmd = [" + toml_quoted(fixture("httpserver")) +
                                      ", \"-name\", \"svc\", \"-ignore-term\"]\nports = { http = " +
                                      std::to_string(port) + " }\n",
                                  "stop_grace = \"20s\"\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--no-network"});
    const MarkedCleanup cleanup(run.pid());
    ASSERT_TRUE(run.wait_for_output("ready in", 10s)) << run.output();
    run.signal(SIGHUP);
    ASSERT_TRUE(run.wait_for_output("stopping: the terminal closed (SIGHUP)", 5s)) << run.output();
    run.signal(SIGHUP);
    const auto status = run.wait_for_exit(5s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 129) << run.output();
    EXPECT_NE(run.output().find("second SIGHUP: killing every service now"), std::string::npos)
        << run.output();
}

// The orphan guard is what stops the services when golaunch is killed. If it dies alone,
// golaunch says so and starts a new one, which then does its job.
TEST(Containment, ADeadOrphanGuardIsReplacedAndTheNewOneStopsTheServicesAfterKillNine) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write("app.toml", setsid_helper_then_binder(port));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const MarkedCleanup cleanup(run.pid());
    const auto starting = run.wait_for_event("starting", "", 10s);
    ASSERT_TRUE(starting) << run.output();
    const pid_t guard = (*starting)["guard_pid"].get<pid_t>();
    ASSERT_GT(guard, 0) << run.output();
    ASSERT_TRUE(run.wait_for_event("ready", "svc", 20s)) << run.output();
    ASSERT_EQ(::kill(guard, SIGKILL), 0);
    const auto restarted = run.wait_for_event("guard_restarted", "", 5s);
    ASSERT_TRUE(restarted) << "golaunch did not notice its guard died: " << run.output();
    EXPECT_EQ((*restarted)["old_pid"], guard);
    EXPECT_NE((*restarted)["pid"], guard);
    ProcessSet processes;
    processes.add_marked(run.pid());
    EXPECT_GE(processes.size(), 2u) << run.output();
    run.signal(SIGKILL);
    ASSERT_TRUE(run.wait_for_exit(20s));
    const auto left = processes.wait_all_gone(20s);
    EXPECT_TRUE(left.empty()) << "the new guard left: " << describe(left);
}

// Without a writable cgroup (GOLAUNCH_NO_CGROUPS=1 stands in for a user outside a delegated
// scope), a process that called setsid leaves the service's process group. golaunch, the child
// subreaper, adopts it when its parent exits; carrying this run's mark, it joins its service and
// stops with it: on Ctrl-C/SIGTERM (golaunch stops it) and on kill -9 (the orphan guard does).
class NoCgroupSetsidHelper : public ::testing::TestWithParam<int> {};

TEST_P(NoCgroupSetsidHelper, JoinsItsServiceAndStopsWithIt) {
    const int signo = GetParam();
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write("app.toml", setsid_helper_then_binder(port));
    ::setenv("GOLAUNCH_NO_CGROUPS", "1", 1);
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    ::unsetenv("GOLAUNCH_NO_CGROUPS");
    const MarkedCleanup cleanup(run.pid());
    ASSERT_TRUE(run.wait_for_event("ready", "svc", 20s)) << run.output();
    const auto containment = run.wait_for_event("containment", "", 1s);
    ASSERT_TRUE(containment) << "said once that only process groups hold services: "
                             << run.output();
    const auto adopted = run.wait_for_event("adopted", "svc", 10s);
    ASSERT_TRUE(adopted) << "the setsid'd sleep joins its service: " << run.output();
    // `setsid -f` forks, and its child calls setsid() and then execs sleep: golaunch may adopt
    // it in between, under the name "setsid". The pid is what must be the sleep's.
    const auto adopted_pid = (*adopted)["pid"].get<pid_t>();
    EXPECT_TRUE(eventually(
        [&] { return read_file("/proc/" + std::to_string(adopted_pid) + "/comm") == "sleep\n"; },
        10s))
        << "the adopted pid " << adopted_pid << " is the setsid'd sleep: " << run.output();
    ProcessSet processes;
    processes.add_marked(run.pid());
    EXPECT_GE(processes.size(), 2u) << "the binder and the setsid'd sleep: " << run.output();
    if (signo != SIGKILL) {
        expect_clean_exit(run, signo, processes, 20s);
        return;
    }
    run.signal(SIGKILL);
    ASSERT_TRUE(run.wait_for_exit(20s));
    const auto left = processes.wait_all_gone(20s);
    EXPECT_TRUE(left.empty()) << "left behind after kill -9: " << describe(left);
}

INSTANTIATE_TEST_SUITE_P(Fallback, NoCgroupSetsidHelper,
                         ::testing::Values(SIGINT, SIGTERM, SIGKILL), [](const auto& info) {
                             return std::string(info.param == SIGINT    ? "ctrl_c"
                                                : info.param == SIGTERM ? "sigterm"
                                                                        : "kill_nine");
                         });

} // namespace
} // namespace golaunch::test
