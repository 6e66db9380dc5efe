// A service that ignores SIGTERM is killed after its stop_grace: not before it, and not much
// later. Measured from outside, by polling the service's pid, for both ways golaunch can end:
// Ctrl-C (the supervisor's grace timer) and kill -9 (the orphan guard's grace).
#include "reliability/reliability_manifest.hpp"
#include "support/golaunch_run.hpp"
#include "support/process_set.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr auto k_grace = 400ms;
// How late the SIGKILL may come: one 20 ms drain tick, a busy 2-core box under ASan, process
// exit. Well below what it guards against: the other service's 8 s grace (Ctrl-C), or the
// default grace of 10 s instead of this one. Seen under load: 845 ms (six tests on two cores),
// 2038 ms (eight tests and two busy loops on two cores), so 400 ms and then 1 s were overshot;
// those figures timed golaunch's own exit too, which is no longer timed.
constexpr auto k_margin = 2500ms;
constexpr int k_rounds = 3;

// Sends `signo` to golaunch once `stubborn` (ignoring SIGTERM) and `web` are ready; returns how
// long the stubborn service lived after the signal (polled every millisecond, bounded).
std::chrono::milliseconds stubborn_lifetime(int signo) {
    // On Ctrl-C each service has its own grace: web's long one must not delay stubborn's
    // SIGKILL. The orphan guard (kill -9) waits for the longest grace of all services before
    // its SIGKILL (orphan_guard-linux.cpp), so there both have the same grace.
    const std::string web_grace = signo == SIGINT ? "8s" : "400ms";
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto pidfile = dir.path() / "stubborn.pid";
    const auto manifest = dir.write(
        "app.toml",
        "version = 1\n[defaults]\nrestart = \"no\"\n" +
            http_service("web", ports[0], "", "stop_grace = \"" + web_grace + "\"\n") +
            http_service("stubborn", ports[1], ", \"-ignore-term\"" + path_arg("-pidfile", pidfile),
                         "stop_grace = \"400ms\"\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    if (!run.wait_for_event("all_ready", "", 15s)) {
        ADD_FAILURE() << run.output();
        return {};
    }
    const pid_t stubborn = wait_for_pidfile(pidfile, 5s);
    // Timed: the stubborn service alone. Then everything golaunch started (and golaunch and
    // its guard) must be gone too, which takes golaunch's own exit on top.
    ProcessSet timed;
    ProcessSet processes;
    processes.add_tree(run.pid());
    if (!timed.add(stubborn) || !processes.add(stubborn)) {
        ADD_FAILURE() << "the stubborn service is not running";
        return {};
    }
    const auto sent = Clock::now();
    run.signal(signo);
    const auto survived = timed.wait_all_gone(k_grace + 9s);
    const auto lived = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - sent);
    EXPECT_TRUE(survived.empty()) << describe(survived);
    const auto left = processes.wait_all_gone(30s);
    EXPECT_TRUE(left.empty()) << describe(left);
    const auto status = run.wait_for_exit(30s);
    EXPECT_TRUE(status.has_value());
    if (signo == SIGINT && status) {
        EXPECT_EQ(exit_code_of(*status), 130);
        EXPECT_NE(run.output().find("still running 400ms after SIGTERM (stop_grace): sending "
                                    "SIGKILL"),
                  std::string::npos)
            << run.output();
    }
    return lived;
}

void check_grace(int signo) {
    for (int round = 1; round <= k_rounds; ++round) {
        SCOPED_TRACE("round " + std::to_string(round));
        const auto lived = stubborn_lifetime(signo);
        if (::testing::Test::HasFailure()) {
            return;
        }
        std::printf("[ reliability ] signal %d: SIGTERM-ignoring service lived %lld ms "
                    "(stop_grace 400 ms)\n",
                    signo, static_cast<long long>(lived.count()));
        EXPECT_GE(lived, k_grace) << "killed before its stop_grace";
        EXPECT_LE(lived, k_grace + k_margin) << "killed too long after its stop_grace";
    }
}

TEST(Reliability, ServiceIgnoringSigtermIsKilledAfterItsGraceOnCtrlC) {
    check_grace(SIGINT);
}

TEST(Reliability, ServiceIgnoringSigtermIsKilledAfterItsGraceByTheGuardOnKillNine) {
    check_grace(SIGKILL);
}

} // namespace
} // namespace golaunch::test
