// The service state machine, transition by transition (the table in service_machine.hpp): each
// test feeds events and checks the state it reaches and the actions it returns, in order.
#include "supervise/service_machine.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using K = ActionKind;
using S = ServiceState;
namespace ev = service_event;

struct FakeClock {
    RestartTracker::Clock::time_point now{};
};

std::vector<K> kinds(const Actions& actions) {
    std::vector<K> result;
    for (const auto& action : actions) {
        result.push_back(action.kind);
    }
    return result;
}

const Action* find(const Actions& actions, K kind) {
    for (const auto& action : actions) {
        if (action.kind == kind) {
            return &action;
        }
    }
    return nullptr;
}

class ServiceMachineTest : public ::testing::Test {
  protected:
    ServiceMachine make(bool has_ports = true, RestartPolicy restart = RestartPolicy::on_failure,
                        int max_restarts = 2, bool has_probe = false, bool ready_on_exit = false) {
        ServiceMachine::Config config;
        config.has_ports = has_ports;
        config.has_probe = has_probe;
        config.ready_on_exit = ready_on_exit;
        config.restart = restart;
        config.max_restarts = max_restarts;
        config.backoff.initial = 100ms;
        config.backoff.max = 1000ms;
        config.startup_timeout = "5s";
        return ServiceMachine(
            config, [this] { return m_clock.now; }, [] { return 0.5; });
    }

    // pending -> built -> starting -> (launched) with ports: waiting for readiness.
    static void to_starting(ServiceMachine& machine) {
        machine.on(ev::Begin{false});
        ASSERT_EQ(kinds(machine.on(ev::StartAllowed{})), std::vector<K>{K::launch});
        ASSERT_EQ(machine.state(), S::starting);
        machine.on(ev::Launched{});
    }

    static void to_ready(ServiceMachine& machine) {
        to_starting(machine);
        machine.on(ev::PortsListening{});
        ASSERT_EQ(machine.state(), S::ready);
    }

    static ev::MainExited exited(bool success, bool tree_alive = false, bool contained = true) {
        return ev::MainExited{success, success ? "exited with status 0" : "exited with status 3",
                              tree_alive, contained};
    }

    FakeClock m_clock;
};

TEST_F(ServiceMachineTest, BeginWithABuildBuildsFirst) {
    auto machine = make();
    EXPECT_EQ(machine.state(), S::pending);
    EXPECT_EQ(kinds(machine.on(ev::Begin{true})), std::vector<K>{K::build});
    EXPECT_EQ(machine.state(), S::building);
}

TEST_F(ServiceMachineTest, BeginWithoutABuildIsBuilt) {
    auto machine = make();
    EXPECT_TRUE(machine.on(ev::Begin{false}).empty());
    EXPECT_EQ(machine.state(), S::built);
}

TEST_F(ServiceMachineTest, SuccessfulBuildIsBuilt) {
    auto machine = make();
    machine.on(ev::Begin{true});
    EXPECT_EQ(kinds(machine.on(ev::BuildExited{true, "exited with status 0"})),
              std::vector<K>{K::report_built});
    EXPECT_EQ(machine.state(), S::built);
}

TEST_F(ServiceMachineTest, FailedBuildFailsTheRunWithExitCode1) {
    auto machine = make();
    machine.on(ev::Begin{true});
    const auto actions = machine.on(ev::BuildExited{false, "exited with status 2"});
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::report_build_failed, K::fail_run}));
    EXPECT_EQ(actions[0].reason, "exited with status 2");
    EXPECT_EQ(actions[1].exit_code, 1);
    EXPECT_EQ(actions[1].reason, "a build failed");
    EXPECT_EQ(machine.state(), S::exited);
}

TEST_F(ServiceMachineTest, BuildEndingWhileTheRunStopsIsStoppedNotAFailure) {
    auto machine = make();
    machine.on(ev::Begin{true});
    EXPECT_EQ(kinds(machine.on(ev::StopRun{})),
              (std::vector<K>{K::stop_watching, K::cancel_backoff, K::kill_build}));
    EXPECT_EQ(kinds(machine.on(ev::BuildExited{false, "killed by SIGTERM"})),
              std::vector<K>{K::stopped});
    EXPECT_EQ(machine.state(), S::exited);
}

TEST_F(ServiceMachineTest, StartAllowedOnlyFromBuilt) {
    auto machine = make();
    EXPECT_TRUE(machine.on(ev::StartAllowed{}).empty()); // pending
    EXPECT_EQ(machine.state(), S::pending);
    machine.on(ev::Begin{false});
    EXPECT_EQ(kinds(machine.on(ev::StartAllowed{})), std::vector<K>{K::launch});
    EXPECT_EQ(machine.state(), S::starting);
    EXPECT_TRUE(machine.on(ev::StartAllowed{}).empty()); // already starting
}

TEST_F(ServiceMachineTest, LaunchFailureFailsTheRun) {
    auto machine = make();
    machine.on(ev::Begin{false});
    machine.on(ev::StartAllowed{});
    const auto actions = machine.on(ev::LaunchFailed{"cannot run x: No such file"});
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::report_launch_failed, K::fail_run}));
    EXPECT_EQ(actions[0].reason, "cannot run x: No such file");
    EXPECT_EQ(actions[1].exit_code, 1);
    EXPECT_EQ(machine.state(), S::exited);
}

TEST_F(ServiceMachineTest, LaunchedWithPortsWatchesReadiness) {
    auto machine = make(true);
    machine.on(ev::Begin{false});
    machine.on(ev::StartAllowed{});
    EXPECT_EQ(kinds(machine.on(ev::Launched{})), std::vector<K>{K::watch_readiness});
    EXPECT_EQ(machine.state(), S::starting);
    EXPECT_FALSE(machine.satisfies(DependencyCondition::ready));
}

TEST_F(ServiceMachineTest, LaunchedWithoutPortsIsReadyAtOnce) {
    auto machine = make(false);
    machine.on(ev::Begin{false});
    machine.on(ev::StartAllowed{});
    EXPECT_EQ(kinds(machine.on(ev::Launched{})), std::vector<K>{K::report_ready});
    EXPECT_EQ(machine.state(), S::ready);
    EXPECT_TRUE(machine.ever_ready());
    EXPECT_TRUE(machine.satisfies(DependencyCondition::ready));
}

TEST_F(ServiceMachineTest, ReadyFromStarting) {
    auto machine = make();
    to_starting(machine);
    EXPECT_EQ(kinds(machine.on(ev::PortsListening{})),
              (std::vector<K>{K::stop_watching, K::report_ready}));
    EXPECT_EQ(machine.state(), S::ready);
    EXPECT_TRUE(machine.satisfies(DependencyCondition::ready));
    EXPECT_TRUE(machine.on(ev::PortsListening{}).empty()); // a second report changes nothing
}

TEST_F(ServiceMachineTest, StartupTimeoutStopsItsTree) {
    auto machine = make();
    to_starting(machine);
    const auto actions = machine.on(ev::StartupTimeout{});
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::report_timeout, K::stop_watching, K::stop_tree}));
    EXPECT_EQ(actions[0].reason, "not ready after 5s (startup_timeout)");
    EXPECT_EQ(machine.state(), S::stopping);
    EXPECT_TRUE(machine.timed_out());
    EXPECT_TRUE(machine.on(ev::StopNow{}).empty()); // its stop request was sent already
}

TEST_F(ServiceMachineTest, LateStartupTimeoutAfterReadyIsIgnored) {
    auto machine = make();
    to_ready(machine);
    EXPECT_TRUE(machine.on(ev::StartupTimeout{}).empty());
    EXPECT_EQ(machine.state(), S::ready);
}

TEST_F(ServiceMachineTest, ExitAfterTimeoutIsAStartupTimeoutAndRestarts) {
    auto machine = make();
    to_starting(machine);
    machine.on(ev::StartupTimeout{});
    const auto actions = machine.on(exited(false));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit,
                                              K::report_restarting, K::arm_backoff}));
    EXPECT_EQ(actions[1].exit_kind, ExitKind::startup_timeout);
    EXPECT_EQ(actions[1].reason, "not ready after 5s (startup_timeout)");
    EXPECT_EQ(actions[1].status, "exited with status 3");
    EXPECT_EQ(actions[3].decision.delay, 100ms);
    EXPECT_EQ(machine.state(), S::backoff);
}

TEST_F(ServiceMachineTest, FailureBeforeReadyRestartsAfterBackoff) {
    auto machine = make();
    to_starting(machine);
    const auto actions = machine.on(exited(false));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit,
                                              K::report_restarting, K::arm_backoff}));
    EXPECT_EQ(actions[1].exit_kind, ExitKind::failed);
    EXPECT_EQ(actions[1].reason, "exited with status 3 before it was ready");
    EXPECT_EQ(actions[2].decision.attempt, 1);
    EXPECT_EQ(machine.state(), S::backoff);
}

TEST_F(ServiceMachineTest, ExitZeroBeforeReadyWithPortsIsAFailure) {
    auto machine = make();
    to_starting(machine);
    const auto actions = machine.on(exited(true, false, false)); // nothing left, no cgroup
    ASSERT_NE(find(actions, K::report_exit), nullptr);
    EXPECT_EQ(find(actions, K::report_exit)->exit_kind, ExitKind::failed);
    EXPECT_EQ(find(actions, K::report_exit)->reason, "exited with status 0 before it was ready");
}

TEST_F(ServiceMachineTest, ExitLeavingItsTreeRunningStopsTheTreeBeforeTheRestart) {
    auto machine = make();
    to_ready(machine);
    const auto actions = machine.on(exited(false, true, false));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit, K::stop_tree,
                                              K::report_restarting, K::arm_backoff}));
    EXPECT_TRUE(machine.stop_sent());
}

TEST_F(ServiceMachineTest, CleanExitAfterReadyIsFinishedUnderOnFailure) {
    auto machine = make(true, RestartPolicy::on_failure);
    to_ready(machine);
    const auto actions = machine.on(exited(true));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit, K::finished}));
    EXPECT_EQ(actions[1].exit_kind, ExitKind::clean);
    EXPECT_EQ(machine.state(), S::exited);
    EXPECT_TRUE(machine.settled());
    EXPECT_FALSE(
        machine.satisfies(DependencyCondition::ready)); // it had ports: it no longer serves them
}

TEST_F(ServiceMachineTest, CleanExitOfAOneShotSatisfiesDependents) {
    auto machine = make(false, RestartPolicy::on_failure);
    machine.on(ev::Begin{false});
    machine.on(ev::StartAllowed{});
    machine.on(ev::Launched{});
    machine.on(exited(true));
    EXPECT_EQ(machine.state(), S::exited);
    EXPECT_TRUE(machine.satisfies(DependencyCondition::ready));
}

TEST_F(ServiceMachineTest, CleanExitRestartsUnderAlways) {
    auto machine = make(true, RestartPolicy::always);
    to_ready(machine);
    EXPECT_EQ(
        kinds(machine.on(exited(true))),
        (std::vector<K>{K::stop_watching, K::report_exit, K::report_restarting, K::arm_backoff}));
    EXPECT_EQ(machine.state(), S::backoff);
}

TEST_F(ServiceMachineTest, FailureUnderRestartNoFailsForGood) {
    auto machine = make(true, RestartPolicy::no);
    to_ready(machine);
    const auto actions = machine.on(exited(false));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit, K::give_up}));
    EXPECT_EQ(actions[2].decision.action, RestartDecision::Action::stop);
    EXPECT_EQ(actions[2].exit_code, 1);
    EXPECT_EQ(machine.state(), S::failed);
}

TEST_F(ServiceMachineTest, GivesUpAfterMaxRestartsWithTheTimeoutExitCode) {
    auto machine = make(true, RestartPolicy::on_failure, 1);
    to_starting(machine);
    machine.on(ev::StartupTimeout{});
    machine.on(exited(false));
    machine.on(ev::BackoffElapsed{});
    machine.on(ev::TreeGone{});
    machine.on(ev::StartAllowed{});
    machine.on(ev::Launched{});
    machine.on(ev::StartupTimeout{});
    const auto actions = machine.on(exited(false));
    const Action* give_up = find(actions, K::give_up);
    ASSERT_NE(give_up, nullptr);
    EXPECT_EQ(give_up->decision.action, RestartDecision::Action::give_up);
    EXPECT_EQ(give_up->decision.attempt, 1);
    EXPECT_EQ(give_up->exit_code, 4);
    EXPECT_EQ(machine.state(), S::failed);
}

TEST_F(ServiceMachineTest, BackoffWaitsForTheOldTreeThenStartsAgain) {
    auto machine = make();
    to_ready(machine);
    machine.on(exited(false));
    ASSERT_EQ(machine.state(), S::backoff);
    EXPECT_EQ(kinds(machine.on(ev::BackoffElapsed{})), std::vector<K>{K::await_tree_gone});
    EXPECT_EQ(machine.state(), S::backoff);
    EXPECT_EQ(kinds(machine.on(ev::TreeGone{})), std::vector<K>{K::start_again});
    EXPECT_EQ(machine.state(), S::built);
    EXPECT_EQ(kinds(machine.on(ev::StartAllowed{})), std::vector<K>{K::launch});
    EXPECT_FALSE(machine.stop_sent()); // a new run: its tree was not asked to stop
}

TEST_F(ServiceMachineTest, StableRunResetsTheRestartCount) {
    auto machine = make(true, RestartPolicy::on_failure, 1);
    to_ready(machine);
    machine.on(exited(false));
    machine.on(ev::BackoffElapsed{});
    machine.on(ev::TreeGone{});
    machine.on(ev::StartAllowed{});
    machine.on(ev::Launched{});
    machine.on(ev::PortsListening{});
    m_clock.now += 11s; // longer than the stable period, max(10 s, backoff.max)
    const auto actions = machine.on(exited(false));
    ASSERT_NE(find(actions, K::arm_backoff), nullptr);
    EXPECT_EQ(find(actions, K::arm_backoff)->decision.attempt, 1);
}

TEST_F(ServiceMachineTest, ExitZeroLeavingItsCgroupRunningIsDaemonized) {
    auto machine = make();
    to_starting(machine);
    EXPECT_EQ(kinds(machine.on(exited(true, true, true))), std::vector<K>{K::report_daemonized});
    EXPECT_EQ(machine.state(), S::starting); // still waiting for its ports
    EXPECT_TRUE(machine.daemonized());
    EXPECT_EQ(kinds(machine.on(ev::PortsListening{})),
              (std::vector<K>{K::stop_watching, K::report_ready}));
}

TEST_F(ServiceMachineTest, DaemonizingIsOnlyForAContainedServiceWithPorts) {
    auto no_cgroup = make();
    to_starting(no_cgroup);
    EXPECT_EQ(find(no_cgroup.on(exited(true, true, false)), K::report_daemonized), nullptr);
    auto no_ports = make(false);
    no_ports.on(ev::Begin{false});
    no_ports.on(ev::StartAllowed{});
    no_ports.on(ev::Launched{});
    EXPECT_EQ(find(no_ports.on(exited(true, true, true)), K::report_daemonized), nullptr);
    auto failing = make();
    to_starting(failing);
    EXPECT_EQ(find(failing.on(exited(false, true, true)), K::report_daemonized), nullptr);
}

TEST_F(ServiceMachineTest, DaemonizedServiceEndsWhenItsCgroupEmpties) {
    auto machine = make();
    to_ready(machine);
    machine.on(exited(true, true, true));
    const auto actions = machine.on(ev::TreeEmptied{});
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit,
                                              K::report_restarting, K::arm_backoff}));
    EXPECT_EQ(actions[1].status, "cgroup empty");
    EXPECT_EQ(actions[1].exit_kind, ExitKind::failed);
    EXPECT_EQ(actions[1].reason, "every process of its cgroup exited (it had daemonized)");
    EXPECT_FALSE(machine.daemonized());
}

TEST_F(ServiceMachineTest, DaemonizedServiceThatTimesOutEndsAsATimeout) {
    auto machine = make();
    to_starting(machine);
    machine.on(exited(true, true, true));
    machine.on(ev::StartupTimeout{});
    const auto actions = machine.on(ev::TreeEmptied{});
    ASSERT_NE(find(actions, K::report_exit), nullptr);
    EXPECT_EQ(find(actions, K::report_exit)->exit_kind, ExitKind::startup_timeout);
}

TEST_F(ServiceMachineTest, TreeEmptiedOfAServiceThatDidNotDaemonizeIsIgnored) {
    auto machine = make();
    to_ready(machine);
    EXPECT_TRUE(machine.on(ev::TreeEmptied{}).empty());
    EXPECT_EQ(machine.state(), S::ready);
}

TEST_F(ServiceMachineTest, ARefusedBindThenAnExitBeforeReadyGivesUpAtOnce) {
    auto machine = make(true, RestartPolicy::always, 5);
    to_starting(machine);
    EXPECT_TRUE(machine.on(ev::BindRefused{"bind 127.0.0.1:80 failed: EACCES"}).empty());
    const auto actions = machine.on(exited(false));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit, K::give_up}));
    EXPECT_TRUE(actions[2].deterministic);
    EXPECT_EQ(actions[2].reason,
              "exited with status 3 before it was ready after bind 127.0.0.1:80 failed: EACCES");
    EXPECT_EQ(actions[2].exit_code, 1);
    EXPECT_EQ(machine.state(), S::failed);
}

TEST_F(ServiceMachineTest, ARefusedBindIsForgottenOnceReadyAndAtTheNextStart) {
    auto ready = make();
    to_starting(ready);
    ready.on(ev::BindRefused{"bind 127.0.0.1:80 failed: EACCES"});
    ready.on(ev::PortsListening{}); // it fell back to another port
    EXPECT_EQ(find(ready.on(exited(false)), K::give_up), nullptr);
    EXPECT_EQ(ready.state(), S::backoff);

    auto restarted = make();
    to_starting(restarted);
    restarted.on(ev::StartupTimeout{}); // a timeout is not a refused bind
    restarted.on(ev::BindRefused{"late"});
    EXPECT_EQ(find(restarted.on(exited(false)), K::give_up), nullptr);
    restarted.on(ev::BackoffElapsed{});
    restarted.on(ev::TreeGone{});
    restarted.on(ev::StartAllowed{});
    restarted.on(ev::Launched{});
    EXPECT_EQ(find(restarted.on(exited(false)), K::give_up), nullptr);
}

TEST_F(ServiceMachineTest, WithAProbeListeningPortsStartTheProbeAndItsPassMakesItReady) {
    auto machine = make(true, RestartPolicy::on_failure, 2, true);
    to_starting(machine);
    EXPECT_EQ(kinds(machine.on(ev::PortsListening{})), std::vector<K>{K::start_probe});
    EXPECT_EQ(machine.state(), S::starting);
    EXPECT_FALSE(machine.satisfies(DependencyCondition::ready));
    EXPECT_EQ(kinds(machine.on(ev::ProbePassed{})),
              (std::vector<K>{K::stop_watching, K::report_ready}));
    EXPECT_EQ(machine.state(), S::ready);
    EXPECT_TRUE(machine.on(ev::ProbePassed{}).empty());
}

TEST_F(ServiceMachineTest, AProbeWithoutPortsStartsAtLaunch) {
    auto machine = make(false, RestartPolicy::on_failure, 2, true);
    machine.on(ev::Begin{false});
    machine.on(ev::StartAllowed{});
    EXPECT_EQ(kinds(machine.on(ev::Launched{})),
              (std::vector<K>{K::watch_readiness, K::start_probe}));
    EXPECT_EQ(machine.state(), S::starting);
}

TEST_F(ServiceMachineTest, ProbePassedWithoutAProbeOrAfterTheRunStopsIsIgnored) {
    auto no_probe = make();
    to_starting(no_probe);
    EXPECT_TRUE(no_probe.on(ev::ProbePassed{}).empty());
    auto stopping = make(true, RestartPolicy::on_failure, 2, true);
    to_starting(stopping);
    stopping.on(ev::PortsListening{});
    stopping.on(ev::StopRun{});
    EXPECT_TRUE(stopping.on(ev::ProbePassed{}).empty());
}

TEST_F(ServiceMachineTest, ReadyOnExitWaitsForTheExitAndCompletesOnZero) {
    auto machine = make(false, RestartPolicy::on_failure, 2, false, true);
    machine.on(ev::Begin{false});
    machine.on(ev::StartAllowed{});
    EXPECT_EQ(kinds(machine.on(ev::Launched{})), std::vector<K>{K::watch_readiness});
    EXPECT_EQ(machine.state(), S::starting);
    EXPECT_TRUE(machine.satisfies(DependencyCondition::started));
    EXPECT_FALSE(machine.satisfies(DependencyCondition::ready));
    EXPECT_FALSE(machine.satisfies(DependencyCondition::completed));
    const auto actions = machine.on(exited(true, false, false));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit, K::finished}));
    EXPECT_EQ(actions[1].exit_kind, ExitKind::clean);
    EXPECT_EQ(machine.state(), S::exited);
    EXPECT_TRUE(machine.satisfies(DependencyCondition::ready));
    EXPECT_TRUE(machine.satisfies(DependencyCondition::completed));
}

TEST_F(ServiceMachineTest, ReadyOnExitFailureIsAFailureThatNeverSatisfies) {
    auto machine = make(false, RestartPolicy::no, 2, false, true);
    machine.on(ev::Begin{false});
    machine.on(ev::StartAllowed{});
    machine.on(ev::Launched{});
    const auto actions = machine.on(exited(false, false, false));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit, K::give_up}));
    EXPECT_EQ(machine.state(), S::failed);
    EXPECT_TRUE(machine.satisfies(DependencyCondition::started));
    EXPECT_FALSE(machine.satisfies(DependencyCondition::ready));
    EXPECT_FALSE(machine.satisfies(DependencyCondition::completed));
}

TEST_F(ServiceMachineTest, ConditionsOfAServerWithPorts) {
    auto machine = make();
    machine.on(ev::Begin{false});
    EXPECT_FALSE(machine.satisfies(DependencyCondition::started));
    machine.on(ev::StartAllowed{});
    machine.on(ev::Launched{});
    EXPECT_TRUE(machine.satisfies(DependencyCondition::started));
    EXPECT_FALSE(machine.satisfies(DependencyCondition::ready));
    machine.on(ev::PortsListening{});
    EXPECT_TRUE(machine.satisfies(DependencyCondition::ready));
    EXPECT_FALSE(machine.satisfies(DependencyCondition::completed));
    machine.on(exited(true));
    EXPECT_TRUE(machine.satisfies(DependencyCondition::completed));
}

TEST_F(ServiceMachineTest, UnhealthyStopsAReadyServiceAndItsExitIsAFailureThatRestarts) {
    auto machine = make();
    to_ready(machine);
    const auto actions = machine.on(ev::Unhealthy{"GET /health: 500 (3 checks in a row)"});
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::report_unhealthy, K::stop_tree}));
    EXPECT_EQ(machine.state(), S::stopping);
    EXPECT_TRUE(machine.on(ev::StopNow{}).empty()); // its stop request went out already
    const auto exit = machine.on(exited(true));     // it exited 0 on SIGTERM: still a failure
    ASSERT_NE(find(exit, K::report_exit), nullptr);
    EXPECT_EQ(find(exit, K::report_exit)->exit_kind, ExitKind::failed);
    EXPECT_EQ(find(exit, K::report_exit)->reason,
              "unhealthy: GET /health: 500 (3 checks in a row)");
    EXPECT_NE(find(exit, K::arm_backoff), nullptr);
    EXPECT_EQ(machine.state(), S::backoff);
}

TEST_F(ServiceMachineTest, UnhealthyOnlyWhileReady) {
    auto starting = make();
    to_starting(starting);
    EXPECT_TRUE(starting.on(ev::Unhealthy{"x"}).empty());
    auto stopping = make();
    to_ready(stopping);
    stopping.on(ev::StopRun{});
    EXPECT_TRUE(stopping.on(ev::Unhealthy{"x"}).empty());
}

TEST_F(ServiceMachineTest, StopRunCancelsTimersAndNothingRestarts) {
    auto machine = make();
    to_ready(machine);
    machine.on(exited(false));
    ASSERT_EQ(machine.state(), S::backoff);
    EXPECT_EQ(kinds(machine.on(ev::StopRun{})),
              (std::vector<K>{K::stop_watching, K::cancel_backoff}));
    EXPECT_TRUE(machine.on(ev::BackoffElapsed{}).empty());
    EXPECT_TRUE(machine.on(ev::TreeGone{}).empty());
    EXPECT_EQ(machine.state(), S::backoff);
    EXPECT_TRUE(machine.on(ev::StopRun{}).empty()); // once
}

TEST_F(ServiceMachineTest, StopNowStopsARunningServiceOnce) {
    auto machine = make();
    to_ready(machine);
    machine.on(ev::StopRun{});
    EXPECT_EQ(kinds(machine.on(ev::StopNow{})), std::vector<K>{K::stop_tree});
    EXPECT_EQ(machine.state(), S::stopping);
    EXPECT_TRUE(machine.on(ev::StopNow{}).empty());
}

TEST_F(ServiceMachineTest, StopNowLeavesWhatNeverRanAlone) {
    for (const bool build : {false, true}) {
        auto machine = make();
        machine.on(ev::Begin{build});
        machine.on(ev::StopRun{});
        EXPECT_TRUE(machine.on(ev::StopNow{}).empty()) << "build " << build;
    }
}

TEST_F(ServiceMachineTest, ExitWhileTheRunStopsIsStoppedNotRestarted) {
    auto machine = make(true, RestartPolicy::always);
    to_ready(machine);
    machine.on(ev::StopRun{});
    machine.on(ev::StopNow{});
    const auto actions = machine.on(exited(false));
    EXPECT_EQ(kinds(actions), (std::vector<K>{K::stop_watching, K::report_exit, K::stopped}));
    EXPECT_EQ(machine.state(), S::exited);
}

TEST_F(ServiceMachineTest, DaemonizingWhileTheRunStopsIsJustAnExit) {
    auto machine = make();
    to_ready(machine);
    machine.on(ev::StopRun{});
    EXPECT_EQ(find(machine.on(exited(true, true, true)), K::report_daemonized), nullptr);
    EXPECT_EQ(machine.state(), S::exited);
}

TEST_F(ServiceMachineTest, NothingStartsOnceTheRunStops) {
    auto pending = make();
    pending.on(ev::StopRun{});
    EXPECT_TRUE(pending.on(ev::Begin{true}).empty());
    auto built = make();
    built.on(ev::Begin{false});
    built.on(ev::StopRun{});
    EXPECT_TRUE(built.on(ev::StartAllowed{}).empty());
    auto starting = make();
    to_starting(starting);
    starting.on(ev::StopRun{});
    EXPECT_TRUE(starting.on(ev::PortsListening{}).empty());
    EXPECT_TRUE(starting.on(ev::StartupTimeout{}).empty());
}

TEST_F(ServiceMachineTest, GraceExpiredKillsOnlyALiveTree) {
    auto machine = make();
    to_ready(machine);
    EXPECT_EQ(kinds(machine.on(ev::GraceExpired{true})), std::vector<K>{K::kill_tree});
    EXPECT_TRUE(machine.on(ev::GraceExpired{false}).empty());
}

TEST_F(ServiceMachineTest, DependencyLostAbandonsOnlyWhatHasNotStarted) {
    auto built = make();
    built.on(ev::Begin{false});
    const auto actions = built.on(ev::DependencyLost{"db"});
    EXPECT_EQ(kinds(actions), std::vector<K>{K::abandoned});
    EXPECT_EQ(actions[0].reason, "db");
    EXPECT_EQ(built.state(), S::failed);
    auto pending = make();
    pending.on(ev::DependencyLost{"db"});
    EXPECT_EQ(pending.state(), S::failed);
    auto ready = make();
    to_ready(ready);
    EXPECT_TRUE(ready.on(ev::DependencyLost{"db"}).empty());
    EXPECT_EQ(ready.state(), S::ready);
}

TEST_F(ServiceMachineTest, ExitReportsFromStatesWithoutAProcessAreIgnored) {
    auto machine = make();
    machine.on(ev::Begin{false});
    EXPECT_TRUE(machine.on(exited(false)).empty());
    EXPECT_EQ(machine.state(), S::built);
}

TEST_F(ServiceMachineTest, EveryStateHasAName) {
    EXPECT_STREQ(to_string(S::pending), "pending");
    EXPECT_STREQ(to_string(S::backoff), "backoff");
    EXPECT_STREQ(to_string(S::failed), "failed");
}

// ---------------------------------------------------------------- asked through the control
// socket (golaunch stop|restart|start): never counted as failures, never restarted by policy.

TEST_F(ServiceMachineTest, StopRequestedStopsItsTreeAndItsExitIsStoppedNotRestarted) {
    auto machine = make(true, RestartPolicy::always);
    to_ready(machine);
    EXPECT_EQ(kinds(machine.on(ev::StopRequested{})),
              (std::vector<K>{K::stop_watching, K::stop_tree}));
    EXPECT_EQ(machine.state(), S::stopping);
    const auto actions = machine.on(exited(false)); // killed by SIGTERM: not a failure
    EXPECT_EQ(kinds(actions),
              (std::vector<K>{K::stop_watching, K::report_exit, K::report_stopped}));
    EXPECT_EQ(find(actions, K::report_exit)->exit_kind, ExitKind::clean);
    EXPECT_EQ(machine.state(), S::stopped);
    EXPECT_FALSE(machine.settled()) << "a stopped service can be started again";
    EXPECT_FALSE(machine.satisfies(DependencyCondition::ready));
    EXPECT_TRUE(machine.on(ev::BackoffElapsed{}).empty());
}

TEST_F(ServiceMachineTest, StopRequestedInBackoffCancelsTheRestart) {
    auto machine = make();
    to_ready(machine);
    machine.on(exited(false));
    ASSERT_EQ(machine.state(), S::backoff);
    EXPECT_EQ(kinds(machine.on(ev::StopRequested{})),
              (std::vector<K>{K::cancel_backoff, K::report_stopped}));
    EXPECT_EQ(machine.state(), S::stopped);
}

TEST_F(ServiceMachineTest, StopRequestedOfAServiceThatIsNotRunningDoesNothing) {
    auto machine = make();
    EXPECT_TRUE(machine.on(ev::StopRequested{}).empty());
    EXPECT_EQ(machine.state(), S::pending);
    machine.on(ev::Begin{true});
    EXPECT_TRUE(machine.on(ev::StopRequested{}).empty()) << "its build runs to the end";
}

TEST_F(ServiceMachineTest, StartRequestedAfterAStopWaitsForTheOldTreeThenStarts) {
    auto machine = make();
    to_ready(machine);
    machine.on(ev::StopRequested{});
    machine.on(exited(false));
    ASSERT_EQ(machine.state(), S::stopped);
    EXPECT_EQ(kinds(machine.on(ev::StartRequested{})), std::vector<K>{K::await_tree_gone});
    EXPECT_EQ(machine.state(), S::backoff);
    EXPECT_EQ(kinds(machine.on(ev::TreeGone{})), std::vector<K>{K::start_again});
    EXPECT_EQ(kinds(machine.on(ev::StartAllowed{})), std::vector<K>{K::launch});
}

TEST_F(ServiceMachineTest, StartRequestedAfterGivingUpStartsWithAFreshRestartBudget) {
    auto machine = make(true, RestartPolicy::on_failure, 0);
    to_ready(machine);
    ASSERT_NE(find(machine.on(exited(false)), K::give_up), nullptr);
    ASSERT_EQ(machine.state(), S::failed);
    EXPECT_EQ(kinds(machine.on(ev::StartRequested{})), std::vector<K>{K::await_tree_gone});
    machine.on(ev::TreeGone{});
    machine.on(ev::StartAllowed{});
    machine.on(ev::Launched{});
    EXPECT_EQ(machine.restarts().restarts(), 0);
    EXPECT_TRUE(machine.on(ev::StartRequested{}).empty()) << "it runs already";
}

TEST_F(ServiceMachineTest, RestartRequestedStopsThenStartsAgainWithoutBackoffOrCount) {
    auto machine = make(true, RestartPolicy::on_failure, 1);
    to_ready(machine);
    EXPECT_EQ(kinds(machine.on(ev::RestartRequested{})),
              (std::vector<K>{K::stop_watching, K::stop_tree}));
    EXPECT_EQ(machine.state(), S::stopping);
    const auto actions = machine.on(exited(false, true));
    EXPECT_EQ(kinds(actions),
              (std::vector<K>{K::stop_watching, K::report_exit, K::stop_tree, K::await_tree_gone}));
    EXPECT_EQ(machine.state(), S::backoff);
    EXPECT_EQ(kinds(machine.on(ev::TreeGone{})), std::vector<K>{K::start_again});
    machine.on(ev::StartAllowed{});
    machine.on(ev::Launched{});
    machine.on(ev::PortsListening{});
    EXPECT_EQ(machine.restarts().restarts(), 0) << "asked for: not one of its max_restarts";
    // Its policy still applies to a failure of its own afterwards.
    EXPECT_NE(find(machine.on(exited(false)), K::arm_backoff), nullptr);
}

TEST_F(ServiceMachineTest, RestartRequestedInBackoffSkipsTheWait) {
    auto machine = make();
    to_ready(machine);
    machine.on(exited(false));
    ASSERT_EQ(machine.state(), S::backoff);
    EXPECT_EQ(kinds(machine.on(ev::RestartRequested{})),
              (std::vector<K>{K::cancel_backoff, K::await_tree_gone}));
    EXPECT_EQ(machine.state(), S::backoff);
}

TEST_F(ServiceMachineTest, RestartRequestedOfAStoppedServiceStartsIt) {
    auto machine = make();
    to_ready(machine);
    machine.on(ev::StopRequested{});
    machine.on(exited(true));
    ASSERT_EQ(machine.state(), S::stopped);
    EXPECT_EQ(kinds(machine.on(ev::RestartRequested{})), std::vector<K>{K::await_tree_gone});
}

TEST_F(ServiceMachineTest, ADaemonizedServiceStoppedOnRequestEndsWithItsCgroup) {
    auto machine = make();
    to_ready(machine);
    machine.on(exited(true, true)); // daemonized
    ASSERT_TRUE(machine.daemonized());
    EXPECT_EQ(kinds(machine.on(ev::StopRequested{})),
              (std::vector<K>{K::stop_watching, K::stop_tree}));
    EXPECT_EQ(kinds(machine.on(ev::TreeEmptied{})),
              (std::vector<K>{K::stop_watching, K::report_exit, K::report_stopped}));
    EXPECT_EQ(machine.state(), S::stopped);
}

TEST_F(ServiceMachineTest, RequestsWhileTheRunStopsAreIgnored) {
    auto machine = make();
    to_ready(machine);
    machine.on(ev::StopRun{});
    EXPECT_TRUE(machine.on(ev::StopRequested{}).empty());
    EXPECT_TRUE(machine.on(ev::RestartRequested{}).empty());
    EXPECT_TRUE(machine.on(ev::StartRequested{}).empty());
}

} // namespace
} // namespace golaunch
