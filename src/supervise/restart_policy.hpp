// The restart policy of one service as a pure calculator: whether an exit is restarted, after
// which delay, and when to give up. The clock and the jitter source are injected, so the
// numbers are testable; the supervisor only asks and waits.
//
// Semantics (README "Restart policy"):
// - A failure is an exit with a non-zero status or a signal, a startup timeout, or any exit of
//   a service with declared ports before it was ready. restart = "on-failure" restarts
//   failures only; "always" restarts every exit; "no" never restarts.
// - Delay of restart n (0-based, counted since the last reset): min(max, initial * 2^n), then
//   multiplied by a random factor in [1 - k_jitter, 1 + k_jitter] and capped at max again.
// - The count resets once the service has been ready for the stable period,
//   max(10 s, backoff.max): a service that ran fine that long starts again from `initial`.
// - After max_restarts restarts (since the last reset) the next failure gives up.
#pragma once

#include "manifest/manifest.hpp"

#include <chrono>
#include <functional>
#include <optional>
#include <string>

namespace golaunch {

inline constexpr double k_restart_jitter = 0.2; // +-20 % of the delay
inline constexpr std::chrono::milliseconds k_min_stable_period{10'000};

enum class ExitKind {
    clean,           // status 0 after the service was ready (or a one-shot without ports)
    failed,          // non-zero status, signal, or exit before ready with declared ports
    startup_timeout, // golaunch stopped it: not ready within startup_timeout
};

struct RestartDecision {
    enum class Action { restart, stop, give_up } action = Action::stop;
    int attempt = 0;                         // 1-based number of this restart (restart only)
    std::chrono::milliseconds delay{0};      // wait before starting again (restart only)
    std::chrono::milliseconds base_delay{0}; // the delay before jitter
};

class RestartTracker {
  public:
    using Clock = std::chrono::steady_clock;
    using Now = std::function<Clock::time_point()>;
    using Random = std::function<double()>; // uniform in [0, 1)

    // Default clock: steady_clock; default random: a per-tracker std::mt19937 seeded randomly.
    RestartTracker(RestartPolicy policy, int max_restarts, Backoff backoff, Now now = {},
                   Random random = {});

    // The service became ready (starts the stable period).
    void on_ready();
    // The service stopped running: decide what happens next.
    RestartDecision on_exit(ExitKind kind);
    // Started again on request: a fresh budget.
    void reset() {
        m_restarts = 0;
        m_ready_since.reset();
    }

    // min(max, initial * 2^n), without jitter.
    std::chrono::milliseconds base_delay(int n) const;
    std::chrono::milliseconds stable_period() const;
    int restarts() const { return m_restarts; }
    int max_restarts() const { return m_max_restarts; }

  private:
    RestartPolicy m_policy;
    int m_max_restarts;
    Backoff m_backoff;
    Now m_now;
    Random m_random;
    int m_restarts = 0; // since the last reset
    std::optional<Clock::time_point> m_ready_since;
};

const char* to_string(RestartPolicy policy);

} // namespace golaunch
