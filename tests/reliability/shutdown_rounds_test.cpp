// Start -> all ready -> Ctrl-C (or kill -9 of golaunch) -> exit, many times over on the same
// project directory: afterwards not one process of the run may remain. Every pid of a run is
// recorded (golaunch's `started` events, the grandchild's pidfile, and golaunch's whole
// process tree from /proc) with its start time, then checked gone or a zombie.
// GOLAUNCH_RELIABILITY_ROUNDS sets the number of rounds (default 100 each), run as ten tests
// (round_batches.hpp).
#include "reliability/reliability_manifest.hpp"
#include "reliability/round_batches.hpp"
#include "support/golaunch_run.hpp"
#include "support/process_set.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <fstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

std::vector<nlohmann::json> events_named(const GolaunchRun& run, const std::string& name) {
    std::vector<nlohmann::json> out;
    for (const auto& event : run.events()) {
        if (event.value("event", "") == name) {
            out.push_back(event);
        }
    }
    return out;
}

// What a round passes on to the next one.
struct RoundOutcome {
    pid_t golaunch_pid = 0;
    bool killed = false; // by SIGKILL: the next run must recover its lock
};

// One round in `dir`: run, wait for all ready, record every pid, send `signo` to golaunch,
// and check that nothing of the run is left. Failures are gtest failures (the caller stops).
RoundOutcome shutdown_round(const TempDir& dir, int signo, const RoundOutcome& previous) {
    RoundOutcome outcome;
    const auto ports = pick_free_ports(3);
    const auto sleeper_pidfile = dir.path() / "sleeper.pid";
    std::filesystem::remove(sleeper_pidfile);
    const auto manifest = dir.write("app.toml", three_service_manifest(ports, sleeper_pidfile));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    outcome.golaunch_pid = run.pid();
    const auto ready = run.wait_for_event("all_ready", "", 15s);
    if (!ready) {
        ADD_FAILURE() << "not all ready within 15 s:\n" << run.output();
        return outcome;
    }

    ProcessSet processes;
    processes.add_tree(run.pid());
    const auto started = events_named(run, "started");
    EXPECT_EQ(started.size(), 3u) << run.output();
    for (const auto& event : started) {
        const pid_t pid = event["pid"].get<pid_t>();
        EXPECT_TRUE(processes.add(pid)) << "service pid " << pid << " not running when ready";
    }
    const pid_t sleeper = wait_for_pidfile(sleeper_pidfile, 5s);
    EXPECT_GT(sleeper, 0) << "the grandchild never wrote its pidfile";
    EXPECT_TRUE(sleeper <= 0 || processes.contains(sleeper))
        << "the grandchild " << sleeper << " is not in golaunch's process tree";
    // golaunch, its orphan guard, 3 services and the grandchild at least.
    EXPECT_GE(processes.size(), 6u);

    const auto recovered = events_named(run, "lock_recovered");
    if (previous.killed) {
        EXPECT_EQ(recovered.size(), 1u) << run.output();
        if (!recovered.empty()) {
            EXPECT_EQ(recovered[0]["pid"], previous.golaunch_pid);
        }
    } else {
        EXPECT_TRUE(recovered.empty()) << "a clean exit left its lock record:\n" << run.output();
    }

    run.signal(signo);
    const auto status = run.wait_for_exit(15s);
    if (!status) {
        ADD_FAILURE() << "golaunch did not exit within 15 s of signal " << signo << ":\n"
                      << run.output();
        return outcome;
    }
    if (signo == SIGKILL) {
        outcome.killed = true;
        EXPECT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL);
        // The orphan guard stops what golaunch left: bounded by the services' stop_grace.
        const auto left = processes.wait_all_gone(5s);
        EXPECT_TRUE(left.empty()) << "left behind after kill -9: " << describe(left);
    } else {
        EXPECT_EQ(exit_code_of(*status), 128 + signo) << run.output();
        // A clean shutdown waits for everything: nothing may run once golaunch has exited.
        const auto left = processes.still_running();
        EXPECT_TRUE(left.empty()) << "still running when golaunch exited: " << describe(left)
                                  << "\n"
                                  << run.output();
        EXPECT_TRUE(processes.wait_all_gone(5s).empty());
    }
    for (const auto port : ports) {
        EXPECT_TRUE(eventually([&] { return !can_connect(port); }, 5s))
            << "port " << port << " still accepts connections";
    }
    return outcome;
}

void run_rounds(int signo, int batch) {
    TempDir dir; // one project directory for every round: its lock and state file are reused
    const auto range = round_batch(batch);
    const auto began = std::chrono::steady_clock::now();
    RoundOutcome previous;
    for (int round = range.first; round <= range.last; ++round) {
        SCOPED_TRACE("round " + std::to_string(round) + " of " + std::to_string(range.total));
        previous = shutdown_round(dir, signo, previous);
        if (::testing::Test::HasFailure()) {
            return; // the first failing round says it all
        }
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    const int count = std::max(range.last - range.first + 1, 1);
    std::printf("[ reliability ] rounds %d-%d (signal %d): %lld ms, %lld ms per round\n",
                range.first, range.last, signo, static_cast<long long>(took.count()),
                static_cast<long long>(took.count() / count));
}

class Reliability : public ::testing::TestWithParam<int> {};

TEST_P(Reliability, CtrlCRoundsLeaveNoProcessOfTheRunBehind) {
    run_rounds(SIGINT, GetParam());
}

TEST_P(Reliability, KillNineRoundsLeaveNoProcessOfTheRunBehind) {
    run_rounds(SIGKILL, GetParam());
}

INSTANTIATE_TEST_SUITE_P(Batches, Reliability, ::testing::Range(0, k_round_batches),
                         [](const auto& info) { return "rounds_" + std::to_string(info.index); });

} // namespace
} // namespace golaunch::test
