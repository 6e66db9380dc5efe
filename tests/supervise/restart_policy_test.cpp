// The restart calculator with an injected clock and jitter source.
#include "supervise/restart_policy.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using Action = RestartDecision::Action;

struct FakeClock {
    RestartTracker::Clock::time_point now{};
    RestartTracker::Now function() {
        return [this] {
            return now;
        };
    }
};

Backoff backoff(Duration initial, Duration max) {
    Backoff result;
    result.initial = initial;
    result.max = max;
    return result;
}

TEST(RestartPolicyTest, DelaysDoubleFromInitialUpToTheCapWithoutJitterAtMidpoint) {
    FakeClock clock;
    RestartTracker tracker(RestartPolicy::on_failure, 10, backoff(100ms, 1000ms), clock.function(),
                           [] { return 0.5; }); // factor 1.0
    const std::vector<long long> expected{100, 200, 400, 800, 1000, 1000};
    for (std::size_t i = 0; i < expected.size(); ++i) {
        const auto decision = tracker.on_exit(ExitKind::failed);
        ASSERT_EQ(decision.action, Action::restart);
        EXPECT_EQ(decision.attempt, static_cast<int>(i) + 1);
        EXPECT_EQ(decision.delay.count(), expected[i]) << "restart " << i;
        EXPECT_EQ(decision.base_delay.count(), expected[i]);
    }
}

TEST(RestartPolicyTest, JitterStaysWithinTwentyPercentAndNeverExceedsMax) {
    for (const double random : {0.0, 0.25, 0.999999}) {
        RestartTracker tracker(RestartPolicy::on_failure, 10, backoff(100ms, 1000ms), {},
                               [random] { return random; });
        for (int i = 0; i < 6; ++i) {
            const auto decision = tracker.on_exit(ExitKind::failed);
            const double base = static_cast<double>(decision.base_delay.count());
            EXPECT_GE(decision.delay.count(), std::llround(base * 0.8)) << random;
            EXPECT_LE(decision.delay.count(), std::llround(base * 1.2)) << random;
            EXPECT_LE(decision.delay, 1000ms);
        }
    }
    RestartTracker low(RestartPolicy::always, 3, backoff(100ms, 1000ms), {}, [] { return 0.0; });
    EXPECT_EQ(low.on_exit(ExitKind::clean).delay, 80ms);
    RestartTracker high(RestartPolicy::always, 3, backoff(100ms, 1000ms), {}, [] { return 1.0; });
    EXPECT_EQ(high.on_exit(ExitKind::clean).delay, 120ms);
}

TEST(RestartPolicyTest, GivesUpAfterMaxRestarts) {
    RestartTracker tracker(RestartPolicy::on_failure, 2, backoff(10ms, 100ms));
    EXPECT_EQ(tracker.on_exit(ExitKind::failed).action, Action::restart);
    EXPECT_EQ(tracker.on_exit(ExitKind::startup_timeout).action, Action::restart);
    const auto third = tracker.on_exit(ExitKind::failed);
    EXPECT_EQ(third.action, Action::give_up);
    EXPECT_EQ(third.attempt, 2);
    RestartTracker none(RestartPolicy::on_failure, 0, backoff(10ms, 100ms));
    EXPECT_EQ(none.on_exit(ExitKind::failed).action, Action::give_up);
}

TEST(RestartPolicyTest, PolicyDecidesWhichExitsRestart) {
    RestartTracker on_failure(RestartPolicy::on_failure, 5, backoff(10ms, 100ms));
    EXPECT_EQ(on_failure.on_exit(ExitKind::clean).action, Action::stop);
    EXPECT_EQ(on_failure.on_exit(ExitKind::startup_timeout).action, Action::restart);
    RestartTracker always(RestartPolicy::always, 5, backoff(10ms, 100ms));
    EXPECT_EQ(always.on_exit(ExitKind::clean).action, Action::restart);
    RestartTracker no(RestartPolicy::no, 5, backoff(10ms, 100ms));
    EXPECT_EQ(no.on_exit(ExitKind::failed).action, Action::stop);
    EXPECT_EQ(no.on_exit(ExitKind::startup_timeout).action, Action::stop);
    EXPECT_EQ(no.restarts(), 0);
}

TEST(RestartPolicyTest, CountResetsAfterTheStablePeriodInReadyOnly) {
    FakeClock clock;
    RestartTracker tracker(RestartPolicy::on_failure, 2, backoff(100ms, 30s), clock.function(),
                           [] { return 0.5; });
    EXPECT_EQ(tracker.stable_period(), 30s) << "max(10 s, backoff.max)";
    EXPECT_EQ(tracker.on_exit(ExitKind::failed).delay, 100ms);
    tracker.on_ready();
    clock.now += 29s; // ready, but not long enough
    EXPECT_EQ(tracker.on_exit(ExitKind::failed).delay, 200ms);
    EXPECT_EQ(tracker.restarts(), 2);
    tracker.on_ready();
    clock.now += 30s;
    const auto after_stable = tracker.on_exit(ExitKind::failed);
    EXPECT_EQ(after_stable.action, Action::restart) << "the count was reset";
    EXPECT_EQ(after_stable.delay, 100ms);
    EXPECT_EQ(after_stable.attempt, 1);
    // Time passing while not ready (crash looping, backing off) does not reset anything.
    clock.now += 1h;
    EXPECT_EQ(tracker.on_exit(ExitKind::failed).attempt, 2);
    EXPECT_EQ(tracker.on_exit(ExitKind::failed).action, Action::give_up);

    RestartTracker short_backoff(RestartPolicy::on_failure, 1, backoff(10ms, 1s));
    EXPECT_EQ(short_backoff.stable_period(), 10s);
}

TEST(RestartPolicyTest, HugeRestartCountsDoNotOverflow) {
    RestartTracker tracker(RestartPolicy::on_failure, 1, backoff(1ms, 5000ms));
    EXPECT_EQ(tracker.base_delay(0), 1ms);
    EXPECT_EQ(tracker.base_delay(3), 8ms);
    EXPECT_EQ(tracker.base_delay(200), 5000ms);
    EXPECT_EQ(tracker.base_delay(1'000'000), 5000ms);
    RestartTracker zero(RestartPolicy::on_failure, 1, backoff(0ms, 0ms));
    EXPECT_EQ(zero.base_delay(5), 0ms);
}

} // namespace
} // namespace golaunch
