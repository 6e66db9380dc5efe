#include "supervise/restart_policy.hpp"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace golaunch {

RestartTracker::RestartTracker(RestartPolicy policy, int max_restarts, Backoff backoff, Now now,
                               Random random)
    : m_policy(policy), m_max_restarts(std::max(0, max_restarts)), m_backoff(backoff),
      m_now(std::move(now)), m_random(std::move(random)) {
    if (!m_now) {
        m_now = [] {
            return Clock::now();
        };
    }
    if (!m_random) {
        auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
        m_random = [engine] {
            return std::uniform_real_distribution<double>(0.0, 1.0)(*engine);
        };
    }
}

std::chrono::milliseconds RestartTracker::stable_period() const {
    return std::max<std::chrono::milliseconds>(k_min_stable_period, m_backoff.max);
}

std::chrono::milliseconds RestartTracker::base_delay(int n) const {
    const auto initial = std::max<long long>(0, m_backoff.initial.count());
    const auto cap = std::max<long long>(initial, m_backoff.max.count());
    long long delay = initial;
    for (int i = 0; i < n && delay < cap; ++i) {
        delay = delay > cap / 2 ? cap : delay * 2; // no overflow, whatever n is
    }
    return std::chrono::milliseconds(std::min(delay, cap));
}

void RestartTracker::on_ready() {
    m_ready_since = m_now();
}

RestartDecision RestartTracker::on_exit(ExitKind kind) {
    RestartDecision decision;
    if (m_ready_since && m_now() - *m_ready_since >= stable_period()) {
        m_restarts = 0; // it ran fine long enough: a new failure starts from `initial` again
    }
    m_ready_since.reset();
    const bool wanted = m_policy == RestartPolicy::always ||
                        (m_policy == RestartPolicy::on_failure && kind != ExitKind::clean);
    if (!wanted) {
        decision.action = RestartDecision::Action::stop;
        return decision;
    }
    if (m_restarts >= m_max_restarts) {
        decision.action = RestartDecision::Action::give_up;
        decision.attempt = m_restarts;
        return decision;
    }
    decision.action = RestartDecision::Action::restart;
    decision.base_delay = base_delay(m_restarts);
    const double factor = 1.0 + k_restart_jitter * (2.0 * std::clamp(m_random(), 0.0, 1.0) - 1.0);
    const auto cap = std::max(m_backoff.max, m_backoff.initial);
    const auto jittered = std::chrono::milliseconds(
        std::llround(static_cast<double>(decision.base_delay.count()) * factor));
    decision.delay = std::clamp(jittered, std::chrono::milliseconds(0), cap);
    decision.attempt = ++m_restarts;
    return decision;
}

const char* to_string(RestartPolicy policy) {
    switch (policy) {
    case RestartPolicy::no:
        return "no";
    case RestartPolicy::on_failure:
        return "on-failure";
    case RestartPolicy::always:
        return "always";
    }
    return "?";
}

} // namespace golaunch
