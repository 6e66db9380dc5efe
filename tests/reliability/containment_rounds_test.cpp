// Daemons cannot escape, round after round: a stack whose services leave their process tree in
// each way a real one does (a `setsid -f` helper, a double fork, a Go server that re-executes
// itself detached like `caddy start`) is started, made ready, then ended by Ctrl-C, by kill -9
// of golaunch, or by kill -9 of golaunch and its orphan guard together. Every process of the
// run is found by golaunch's mark and checked gone by pid and start time: at golaunch's exit
// (Ctrl-C), within the guard's grace (kill -9), or by the next run of the same project, which
// must say what it stopped (kill -9 of both). GOLAUNCH_RELIABILITY_ROUNDS sets the rounds
// (default 100 each), run as 10 tests of a tenth each.
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

std::string escaping_stack(const std::vector<std::uint16_t>& ports,
                           const std::filesystem::path& pidfile) {
    const auto binder = [&](std::uint16_t port) {
        return "exec '" + fixture("binder") + "' -addr 127.0.0.1:" + std::to_string(port);
    };
    return "version = 1\nname = \"escapers\"\n[defaults]\nrestart = \"no\"\nstop_grace = \"2s\"\n"
           "[services.setsid]\nshell = " +
           toml_quoted("setsid -f sleep 300; " + binder(ports.at(0))) +
           "\nports = { http = " + std::to_string(ports.at(0)) +
           " }\n[services.doublefork]\nshell = " +
           toml_quoted("(sleep 300 &); " + binder(ports.at(1))) +
           "\nports = { http = " + std::to_string(ports.at(1)) + " }\n[services.daemon]\ncmd = [" +
           toml_quoted(fixture("daemonizer")) +
           ", \"-addr\", \"127.0.0.1:" + std::to_string(ports.at(2)) + "\", \"-pidfile\", " +
           toml_quoted(pidfile.string()) + "]\nports = { http = " + std::to_string(ports.at(2)) +
           " }\n";
}

enum class Ending { ctrl_c, kill_golaunch, kill_golaunch_and_guard };

struct Round {
    ProcessSet left_for_next; // processes the next run must stop (kill -9 of both)
    pid_t golaunch_pid = 0;
};

std::size_t count_events(const GolaunchRun& run, const std::string& name) {
    std::size_t count = 0;
    for (const auto& event : run.events()) {
        count += event.value("event", "") == name ? 1 : 0;
    }
    return count;
}

// Checks what the previous round left is stopped by this run and reported, before its start.
void expect_previous_stopped(const GolaunchRun& run, const Round& previous) {
    if (previous.left_for_next.size() == 0) {
        EXPECT_EQ(count_events(run, "leftover_stopped"), 0u) << run.output();
        return;
    }
    const auto reported = run.wait_for_event("leftover_stopped", "", 10s);
    ASSERT_TRUE(reported) << "the leftovers of golaunch " << previous.golaunch_pid
                          << " are not reported:\n"
                          << run.output();
    EXPECT_EQ((*reported)["golaunch_pid"], previous.golaunch_pid);
    const auto left = previous.left_for_next.wait_all_gone(2s);
    EXPECT_TRUE(left.empty()) << "still running after the next run cleaned up: " << describe(left);
}

Round one_round(const TempDir& dir, Ending ending, const Round& previous) {
    Round outcome;
    const auto ports = pick_free_ports(3);
    const auto pidfile = dir.path() / "daemon.pid";
    std::filesystem::remove(pidfile);
    const auto manifest = dir.write("app.toml", escaping_stack(ports, pidfile));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    outcome.golaunch_pid = run.pid();
    const auto ready = run.wait_for_event("all_ready", "", 20s);
    expect_previous_stopped(run, previous);
    if (!ready) {
        kill_marked(run.pid());
        ADD_FAILURE() << "not all ready within 20 s:\n" << run.output();
        return outcome;
    }
    const auto starting = run.wait_for_event("starting", "", 1s);
    if (!starting || (*starting).value("containment", "") != "cgroup") {
        kill_marked(run.pid());
        ADD_FAILURE() << "no cgroups on this machine: " << run.output();
        return outcome;
    }
    ProcessSet processes;
    processes.add_marked(run.pid());
    // Ready comes with the daemon's listen(), a moment before it writes its pidfile.
    const pid_t daemon = wait_for_pidfile(pidfile, 5s);
    EXPECT_TRUE(daemon > 0 && processes.contains(daemon)) << "daemon " << daemon;
    // Two binders, two sleeps, the detached daemon at least.
    EXPECT_GE(processes.size(), 5u) << describe(processes.still_running());

    switch (ending) {
    case Ending::ctrl_c: {
        run.signal(SIGINT);
        const auto status = run.wait_for_exit(10s);
        if (!status) {
            kill_marked(run.pid());
            ADD_FAILURE() << "golaunch did not exit within 10 s of Ctrl-C:\n" << run.output();
            return outcome;
        }
        EXPECT_EQ(exit_code_of(*status), 130) << run.output();
        const auto left = processes.still_running();
        EXPECT_TRUE(left.empty()) << "still running when golaunch exited: " << describe(left)
                                  << "\n"
                                  << run.output();
        break;
    }
    case Ending::kill_golaunch: {
        run.signal(SIGKILL);
        EXPECT_TRUE(run.wait_for_exit(5s));
        const auto left = processes.wait_all_gone(5s);
        EXPECT_TRUE(left.empty()) << "left behind after kill -9: " << describe(left);
        break;
    }
    case Ending::kill_golaunch_and_guard: {
        // Both at once, as an IDE that kills everything it knows: the guard is frozen first so
        // that it can neither act on golaunch's death nor be replaced by golaunch.
        const pid_t guard = (*starting)["guard_pid"].get<pid_t>();
        ::kill(guard, SIGSTOP);
        ::kill(-run.pid(), SIGKILL); // golaunch leads its process group
        ::kill(guard, SIGKILL);
        EXPECT_TRUE(run.wait_for_exit(5s));
        outcome.left_for_next = processes;
        break;
    }
    }
    return outcome;
}

// One batch of rounds in a project directory of its own; the last run of a batch that leaves
// processes for the next one is followed by a run that must stop them.
void run_rounds(Ending ending, int batch) {
    TempDir dir;
    const auto range = round_batch(batch);
    const int first = range.first;
    const int last = range.last;
    const auto began = std::chrono::steady_clock::now();
    Round previous;
    for (int round = first; round <= last; ++round) {
        SCOPED_TRACE("round " + std::to_string(round) + " of " + std::to_string(range.total));
        previous = one_round(dir, ending, previous);
        if (::testing::Test::HasFailure()) {
            kill_marked(previous.golaunch_pid);
            return;
        }
    }
    if (previous.left_for_next.size() > 0) {
        const auto manifest = dir.path() / "app.toml";
        GolaunchRun closing(
            dir, {"run", manifest.string(), "--json", "--no-network", "--stop-when-ready"});
        EXPECT_TRUE(closing.wait_for_exit(20s));
        expect_previous_stopped(closing, previous);
        kill_marked(previous.golaunch_pid);
    }
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - began);
    const int count = std::max(last - first + 1, 1);
    std::printf("[ reliability ] rounds %d-%d: %lld ms, %lld ms per round\n", first, last,
                static_cast<long long>(took.count()), static_cast<long long>(took.count() / count));
}

class ContainmentRounds : public ::testing::TestWithParam<int> {};

TEST_P(ContainmentRounds, CtrlCLeavesNoDaemonBehind) {
    run_rounds(Ending::ctrl_c, GetParam());
}

TEST_P(ContainmentRounds, KillNineOfGolaunchLeavesNoDaemonBehind) {
    run_rounds(Ending::kill_golaunch, GetParam());
}

TEST_P(ContainmentRounds, KillNineOfGolaunchAndItsGuardIsCleanedByTheNextRun) {
    run_rounds(Ending::kill_golaunch_and_guard, GetParam());
}

// GOLAUNCH_RELIABILITY_ROUNDS rounds of each ending, in k_round_batches tests.
INSTANTIATE_TEST_SUITE_P(Batches, ContainmentRounds, ::testing::Range(0, k_round_batches),
                         [](const auto& info) { return "rounds_" + std::to_string(info.index); });

} // namespace
} // namespace golaunch::test
