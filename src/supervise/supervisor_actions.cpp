// The supervisor's hands: each action a ServiceMachine returns, carried out. The machine decided;
// these only launch, signal, arm timers and report.
#include "supervise/supervisor_impl.hpp"

#include "util/error.hpp"
#include "util/strings.hpp"

namespace golaunch {

void Supervisor::Impl::perform(Service& entry, const Actions& actions) {
    for (const Action& action : actions) {
        perform(entry, action);
    }
}

void Supervisor::Impl::perform(Service& entry, const Action& action) {
    switch (action.kind) {
    case ActionKind::build:
        start_build(entry);
        return;
    case ActionKind::report_built:
        report_built(entry);
        return;
    case ActionKind::report_build_failed:
        m_reporter.error(entry.spec->name,
                         "go build " + entry.spec->go_package + " failed (" + action.reason +
                             ") after " + format_duration(Duration(elapsed_ms(entry.started))));
        return;
    case ActionKind::launch:
        launch(entry);
        return;
    case ActionKind::report_launch_failed:
        m_reporter.error(entry.spec->name, action.reason);
        return;
    case ActionKind::watch_readiness:
        watch_readiness(entry);
        return;
    case ActionKind::start_probe:
        start_probe(entry);
        return;
    case ActionKind::stop_watching:
        stop_watching(entry);
        return;
    case ActionKind::report_ready:
        report_ready(entry);
        return;
    case ActionKind::report_timeout:
        report_timeout(entry);
        return;
    case ActionKind::report_unhealthy:
        report_unhealthy(entry, action);
        return;
    case ActionKind::report_daemonized:
        report_daemonized(entry);
        return;
    case ActionKind::report_exit:
        report_exit(entry, action);
        return;
    case ActionKind::stop_tree:
        stop_tree(entry);
        return;
    case ActionKind::kill_tree:
        if (entry.tree.alive()) {
            m_reporter.warn(
                entry.spec->name, "stop-grace-expired",
                "still running " + format_duration(entry.spec->stop_grace) + " after " +
                    stop_request_name() + " (stop_grace): sending " + kill_name(),
                {{"pid", entry.tree.id()}, {"stop_grace_ms", entry.spec->stop_grace.count()}});
            entry.tree.kill();
        }
        return;
    case ActionKind::kill_build:
        if (entry.process_running && !entry.tree.request_stop()) {
            entry.tree.kill(); // an unfinished build is not worth waiting for
        }
        return;
    case ActionKind::arm_backoff:
        arm_backoff(entry, action);
        return;
    case ActionKind::cancel_backoff:
        entry.restart_timer.cancel();
        entry.awaiting_tree_gone = false;
        return;
    case ActionKind::await_tree_gone:
        await_tree_gone(entry, 0);
        return;
    case ActionKind::start_again:
        start_again(entry);
        return;
    case ActionKind::report_restarting:
        report_restarting(entry, action);
        return;
    case ActionKind::give_up:
        give_up(entry, action);
        return;
    case ActionKind::finished:
        finished(entry, action);
        return;
    case ActionKind::stopped:
        stop_what_can_stop();
        check_drained();
        return;
    case ActionKind::fail_run:
        shutdown(action.exit_code, action.reason);
        return;
    case ActionKind::report_stopped:
        report_stopped(entry);
        return;
    case ActionKind::abandoned:
        m_failure_code = std::max(m_failure_code, static_cast<int>(ExitCode::service_failed));
        return; // reported by abandon_dependents, which knows the chain
    }
}

} // namespace golaunch
