#include "supervise/service_machine.hpp"

#include "util/error.hpp"

#include <utility>

namespace golaunch {

namespace {

Action make(ActionKind kind, std::string reason = {}) {
    Action action;
    action.kind = kind;
    action.reason = std::move(reason);
    return action;
}

bool running_state(ServiceState state) {
    return state == ServiceState::starting || state == ServiceState::ready ||
           state == ServiceState::stopping;
}

} // namespace

const char* to_string(ServiceState state) {
    switch (state) {
    case ServiceState::pending:
        return "pending";
    case ServiceState::building:
        return "building";
    case ServiceState::built:
        return "built";
    case ServiceState::starting:
        return "starting";
    case ServiceState::ready:
        return "ready";
    case ServiceState::stopping:
        return "stopping";
    case ServiceState::backoff:
        return "backoff";
    case ServiceState::exited:
        return "exited";
    case ServiceState::failed:
        return "failed";
    case ServiceState::stopped:
        return "stopped";
    }
    return "?";
}

ServiceMachine::ServiceMachine(Config config, RestartTracker::Now now,
                               RestartTracker::Random random)
    : m_config(std::move(config)), m_restarts(m_config.restart, m_config.max_restarts,
                                              m_config.backoff, std::move(now), std::move(random)) {
}

bool ServiceMachine::satisfies(DependencyCondition condition) const {
    switch (condition) {
    case DependencyCondition::started:
        return m_launched;
    case DependencyCondition::completed:
        return m_completed;
    case DependencyCondition::ready:
        break;
    }
    if (m_config.ready_on_exit) {
        return m_completed;
    }
    return m_state == ServiceState::ready ||
           (m_state == ServiceState::exited && m_ever_ready && !m_config.has_ports);
}

bool ServiceMachine::settled() const {
    return m_state == ServiceState::exited || m_state == ServiceState::failed;
}

int ServiceMachine::exit_code_of(ExitKind kind) {
    return kind == ExitKind::startup_timeout ? static_cast<int>(ExitCode::startup_timeout)
                                             : static_cast<int>(ExitCode::service_failed);
}

std::string ServiceMachine::timeout_reason() const {
    return "not ready after " + m_config.startup_timeout + " (startup_timeout)";
}

Actions ServiceMachine::on(const service_event::Begin& event) {
    if (m_state != ServiceState::pending || m_run_stopping) {
        return {};
    }
    if (!event.build) {
        m_state = ServiceState::built;
        return {};
    }
    m_state = ServiceState::building;
    return {make(ActionKind::build)};
}

Actions ServiceMachine::on(const service_event::BuildExited& event) {
    if (m_state != ServiceState::building) {
        return {};
    }
    if (m_run_stopping) {
        m_state = ServiceState::exited;
        return {make(ActionKind::stopped, event.status)};
    }
    if (!event.success) {
        m_state = ServiceState::exited;
        Action fail = make(ActionKind::fail_run, "a build failed");
        fail.exit_code = static_cast<int>(ExitCode::service_failed);
        return {make(ActionKind::report_build_failed, event.status), fail};
    }
    m_state = ServiceState::built;
    return {make(ActionKind::report_built)};
}

Actions ServiceMachine::on(const service_event::StartAllowed&) {
    if (m_state != ServiceState::built || m_run_stopping) {
        return {};
    }
    m_state = ServiceState::starting;
    m_timed_out = false;
    m_stop_sent = false;
    m_daemonized = false;
    m_refused.clear();
    m_unhealthy.clear();
    return {make(ActionKind::launch)};
}

Actions ServiceMachine::on(const service_event::LaunchFailed& event) {
    if (m_state != ServiceState::starting) {
        return {};
    }
    m_state = ServiceState::exited;
    Action fail = make(ActionKind::fail_run, "a service could not be started");
    fail.exit_code = static_cast<int>(ExitCode::service_failed);
    return {make(ActionKind::report_launch_failed, event.error), fail};
}

Actions ServiceMachine::on(const service_event::Launched&) {
    if (m_state != ServiceState::starting) {
        return {};
    }
    m_launched = true;
    if (m_config.has_ports || m_config.ready_on_exit) {
        return {make(ActionKind::watch_readiness)};
    }
    if (m_config.has_probe) {
        return {make(ActionKind::watch_readiness), make(ActionKind::start_probe)};
    }
    return become_ready({});
}

Actions ServiceMachine::become_ready(Actions actions) {
    m_state = ServiceState::ready;
    m_ever_ready = true;
    m_refused.clear(); // it found a way (another port, a retry): not a deterministic failure
    m_restarts.on_ready();
    actions.push_back(make(ActionKind::report_ready));
    return actions;
}

Actions ServiceMachine::on(const service_event::PortsListening&) {
    if (m_state != ServiceState::starting || m_run_stopping || m_config.ready_on_exit) {
        return {};
    }
    if (m_config.has_probe) {
        return {make(ActionKind::start_probe)};
    }
    return become_ready({make(ActionKind::stop_watching)});
}

Actions ServiceMachine::on(const service_event::ProbePassed&) {
    if (m_state != ServiceState::starting || m_run_stopping || !m_config.has_probe) {
        return {};
    }
    return become_ready({make(ActionKind::stop_watching)});
}

Actions ServiceMachine::on(const service_event::StartupTimeout&) {
    if (m_state != ServiceState::starting || m_run_stopping) {
        return {};
    }
    m_state = ServiceState::stopping;
    m_timed_out = true;
    m_stop_sent = true;
    return {make(ActionKind::report_timeout, timeout_reason()), make(ActionKind::stop_watching),
            make(ActionKind::stop_tree)};
}

Actions ServiceMachine::on(const service_event::MainExited& event) {
    if (!running_state(m_state)) {
        return {};
    }
    const ServiceState previous = m_state;
    // Exit 0 while its cgroup still runs, before or after ready: it daemonized (`caddy start`,
    // `setsid -f`). Not the end of the service: its cgroup is the service from now on.
    if (!m_run_stopping && !m_timed_out && m_request == Request::none && event.contained &&
        m_config.has_ports &&
        (previous == ServiceState::starting || previous == ServiceState::ready) && event.success &&
        event.tree_alive) {
        m_daemonized = true;
        return {make(ActionKind::report_daemonized)};
    }
    Action exit = make(ActionKind::report_exit, event.status);
    exit.status = event.status;
    if (m_run_stopping) {
        m_state = ServiceState::exited;
        return {make(ActionKind::stop_watching), exit, make(ActionKind::stopped, event.status)};
    }
    if (m_request != Request::none) {
        return after_requested_exit(event.status, event.tree_alive);
    }
    ExitKind kind = ExitKind::clean;
    std::string reason = event.status;
    const bool one_shot_done = m_config.ready_on_exit && previous == ServiceState::starting &&
                               event.success && !m_timed_out;
    if (one_shot_done) {
        m_ever_ready = true; // complete: "ready" for its dependents
    }
    if (m_timed_out) {
        kind = ExitKind::startup_timeout;
        reason = timeout_reason();
    } else if (!m_unhealthy.empty()) {
        kind = ExitKind::failed;
        reason = "unhealthy: " + m_unhealthy;
    } else if (!event.success ||
               (previous == ServiceState::starting && m_config.has_ports && !one_shot_done)) {
        kind = ExitKind::failed;
        reason += previous == ServiceState::starting ? " before it was ready" : "";
    }
    exit.exit_kind = kind;
    exit.reason = reason;
    m_completed = m_completed || kind == ExitKind::clean;
    Actions actions{make(ActionKind::stop_watching), exit};
    if (!m_timed_out && event.tree_alive) {
        // What it left in its tree (a grandchild) goes before any restart.
        m_stop_sent = true;
        actions.push_back(make(ActionKind::stop_tree));
    }
    if (kind == ExitKind::failed && previous == ServiceState::starting && !m_refused.empty()) {
        m_state = ServiceState::failed;
        Action give_up = make(ActionKind::give_up, reason + " after " + m_refused);
        give_up.exit_kind = kind;
        give_up.exit_code = exit_code_of(kind);
        give_up.deterministic = true;
        give_up.decision.attempt = m_restarts.restarts();
        actions.push_back(give_up);
        return actions;
    }
    return after_exit(kind, reason, std::move(actions));
}

Actions ServiceMachine::on(const service_event::TreeEmptied&) {
    if (m_run_stopping || !m_daemonized || !running_state(m_state)) {
        return {};
    }
    m_daemonized = false;
    if (m_request != Request::none) {
        return after_requested_exit("cgroup empty", false);
    }
    const ExitKind kind = m_timed_out ? ExitKind::startup_timeout : ExitKind::failed;
    const std::string reason = m_timed_out ? timeout_reason()
                               : !m_unhealthy.empty()
                                   ? "unhealthy: " + m_unhealthy
                                   : "every process of its cgroup exited (it had daemonized)";
    Action exit = make(ActionKind::report_exit, reason);
    exit.status = "cgroup empty";
    exit.exit_kind = kind;
    return after_exit(kind, reason, {make(ActionKind::stop_watching), exit});
}

Actions ServiceMachine::on(const service_event::Unhealthy& event) {
    if (m_state != ServiceState::ready || m_run_stopping) {
        return {};
    }
    m_state = ServiceState::stopping;
    m_unhealthy = event.evidence;
    m_stop_sent = true;
    return {make(ActionKind::report_unhealthy, event.evidence), make(ActionKind::stop_tree)};
}

Actions ServiceMachine::on(const service_event::BindRefused& event) {
    if (m_state == ServiceState::starting && m_refused.empty()) {
        m_refused = event.what;
    }
    return {};
}

Actions ServiceMachine::after_exit(ExitKind kind, const std::string& reason, Actions actions) {
    const RestartDecision decision = m_restarts.on_exit(kind);
    switch (decision.action) {
    case RestartDecision::Action::restart: {
        m_state = ServiceState::backoff;
        Action restarting = make(ActionKind::report_restarting, reason);
        restarting.decision = decision;
        restarting.exit_kind = kind;
        Action arm = make(ActionKind::arm_backoff);
        arm.decision = decision;
        actions.push_back(restarting);
        actions.push_back(arm);
        return actions;
    }
    case RestartDecision::Action::give_up: {
        m_state = ServiceState::failed;
        Action give_up = make(ActionKind::give_up, reason);
        give_up.decision = decision;
        give_up.exit_kind = kind;
        give_up.exit_code = exit_code_of(kind);
        actions.push_back(give_up);
        return actions;
    }
    case RestartDecision::Action::stop:
        break;
    }
    if (kind == ExitKind::clean) {
        m_state = ServiceState::exited;
        actions.push_back(make(ActionKind::finished, reason));
        return actions;
    }
    m_state = ServiceState::failed;
    Action give_up = make(ActionKind::give_up, reason);
    give_up.decision = decision; // action stop, attempt 0: not restarted by its policy
    give_up.exit_kind = kind;
    give_up.exit_code = exit_code_of(kind);
    actions.push_back(give_up);
    return actions;
}

Actions ServiceMachine::on(const service_event::BackoffElapsed&) {
    if (m_state != ServiceState::backoff || m_run_stopping) {
        return {};
    }
    return {make(ActionKind::await_tree_gone)};
}

Actions ServiceMachine::on(const service_event::TreeGone&) {
    if (m_state != ServiceState::backoff || m_run_stopping) {
        return {};
    }
    m_state = ServiceState::built;
    return {make(ActionKind::start_again)};
}

Actions ServiceMachine::on(const service_event::StopRun&) {
    if (m_run_stopping) {
        return {};
    }
    m_run_stopping = true;
    Actions actions{make(ActionKind::stop_watching), make(ActionKind::cancel_backoff)};
    if (m_state == ServiceState::building) {
        actions.push_back(make(ActionKind::kill_build));
    }
    return actions;
}

Actions ServiceMachine::on(const service_event::StopNow&) {
    if (m_stop_sent || m_state == ServiceState::building || m_state == ServiceState::pending ||
        m_state == ServiceState::built) {
        return {};
    }
    m_stop_sent = true;
    if (m_state == ServiceState::starting || m_state == ServiceState::ready) {
        m_state = ServiceState::stopping;
    }
    return {make(ActionKind::stop_tree)};
}

Actions ServiceMachine::on(const service_event::GraceExpired& event) {
    if (!event.tree_alive) {
        return {};
    }
    return {make(ActionKind::kill_tree)};
}

// Its exit after a stop or restart request: neither a failure nor one of its restarts.
Actions ServiceMachine::after_requested_exit(const std::string& status, bool tree_alive) {
    const Request request = m_request;
    m_request = Request::none;
    Action exit = make(ActionKind::report_exit,
                       request == Request::stop ? "stop requested" : "restart requested");
    exit.status = status;
    exit.exit_kind = ExitKind::clean;
    exit.requested = true;
    Actions actions{make(ActionKind::stop_watching), exit};
    if (tree_alive) {
        actions.push_back(make(ActionKind::stop_tree));
    }
    if (request == Request::stop) {
        m_state = ServiceState::stopped;
        actions.push_back(make(ActionKind::report_stopped));
        return actions;
    }
    m_state = ServiceState::backoff;
    actions.push_back(make(ActionKind::await_tree_gone));
    return actions;
}

Actions ServiceMachine::on(const service_event::StopRequested&) {
    return requested(Request::stop);
}

Actions ServiceMachine::on(const service_event::RestartRequested&) {
    return requested(Request::restart);
}

// A stop or restart asked for: a running service is stopped and its exit is then that request
// (after_requested_exit); in backoff a stop cancels the restart, a restart skips the wait; a
// restart of a service that is not running starts it.
Actions ServiceMachine::requested(Request request) {
    if (m_run_stopping) {
        return {};
    }
    switch (m_state) {
    case ServiceState::starting:
    case ServiceState::ready:
        m_state = ServiceState::stopping;
        m_request = request;
        m_stop_sent = true;
        return {make(ActionKind::stop_watching), make(ActionKind::stop_tree)};
    case ServiceState::stopping:
        m_request = request;
        return {};
    case ServiceState::backoff:
        if (request == Request::stop) {
            m_state = ServiceState::stopped;
            return {make(ActionKind::cancel_backoff), make(ActionKind::report_stopped)};
        }
        return {make(ActionKind::cancel_backoff), make(ActionKind::await_tree_gone)};
    case ServiceState::exited:
    case ServiceState::failed:
    case ServiceState::stopped:
        return request == Request::restart ? on(service_event::StartRequested{}) : Actions{};
    default:
        return {};
    }
}

Actions ServiceMachine::on(const service_event::StartRequested&) {
    if (m_run_stopping || (m_state != ServiceState::exited && m_state != ServiceState::failed &&
                           m_state != ServiceState::stopped)) {
        return {};
    }
    m_restarts.reset();
    m_request = Request::none;
    m_state = ServiceState::backoff;
    return {make(ActionKind::await_tree_gone)};
}

Actions ServiceMachine::on(const service_event::DependencyLost& event) {
    if (m_state != ServiceState::pending && m_state != ServiceState::built) {
        return {};
    }
    m_state = ServiceState::failed;
    return {make(ActionKind::abandoned, event.dependency)};
}

} // namespace golaunch
