// What happens when a service stops on its own. The machine (service_machine.hpp) and its
// restart policy (restart_policy.hpp) decide between restarting after a backoff, giving up, or
// leaving it stopped; this file reports it and handles what spans services. The other services
// keep running; dependents that have not started wait for the restarted service to be ready
// again; dependents already running are left alone. When nothing is left running or waiting,
// golaunch stops: exit 0 when every service finished cleanly, 4 when a service gave up after a
// startup timeout, else 1 when one failed for good.
#include "supervise/supervisor_impl.hpp"

#include "platform/process_info.hpp"
#include "supervise/exit_status.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace golaunch {

namespace {

bool depends_on(const ServiceSpec& spec, const std::string& name) {
    return std::find(spec.depends_on.begin(), spec.depends_on.end(), name) != spec.depends_on.end();
}

} // namespace

void Supervisor::Impl::on_service_exit(Service& entry, int native_status) {
    entry.process_running = false;
    if (entry.health_timer) {
        entry.health_timer->cancel();
    }
    if (entry.watchdog_timer) {
        entry.watchdog_timer->cancel();
    }
    adopt_orphans();
    feed(entry,
         service_event::MainExited{exited_successfully(native_status), describe_exit(native_status),
                                   entry.tree.alive(), entry.tree.contained()});
}

void Supervisor::Impl::report_exit(Service& entry, const Action& action) {
    const std::string& name = entry.spec->name;
    m_reporter.event("exited", name, {{"status", action.status}, {"pid", entry.tree.id()}},
                     m_stopping ? action.status : "", 0);
    if (m_stopping) {
        return;
    }
    if (action.requested) {
        m_reporter.info(name, action.status + " (" + action.reason + ")");
        return;
    }
    switch (action.exit_kind) {
    case ExitKind::startup_timeout:
        return; // said when it timed out
    case ExitKind::failed:
        m_reporter.error(name,
                         action.status == "cgroup empty"
                             ? action.reason
                             : "pid " + std::to_string(entry.tree.id()) + " " + action.reason);
        return;
    case ExitKind::clean:
        m_reporter.info(name, "finished (" + action.reason + ")");
        return;
    }
}

// Says once what happened, naming what it left running and how to keep it in the foreground,
// then goes on waiting for its ports (if not ready yet) or serving (if it was).
void Supervisor::Impl::report_daemonized(Service& entry) {
    const std::string& name = entry.spec->name;
    const auto pids = entry.cgroup != nullptr ? entry.cgroup->pids() : std::vector<int>{};
    std::vector<std::string> left;
    bool caddy = false;
    for (const int pid : pids) {
        const auto info = read_process_info(pid);
        const std::string what =
            info ? shell_join(info->cmdline.empty() ? std::vector<std::string>{info->name}
                                                    : info->cmdline)
                 : std::string("?");
        caddy = caddy || (info && info->name.find("caddy") != std::string::npos);
        left.push_back("pid " + std::to_string(pid) + " (" + what + ")");
    }
    const std::string foreground =
        caddy ? "`caddy run` instead of `caddy start` keeps it in the foreground"
              : "to get its output and exit status, run it in the foreground (most servers "
                "have a `run` command or a --foreground/--no-daemon flag for that)";
    m_reporter.event("daemonized", name,
                     {{"pid", entry.tree.id()},
                      {"pids", pids},
                      {"state", entry.state() == State::ready ? "ready" : "starting"}},
                     "pid " + std::to_string(entry.tree.id()) + " exited 0 and left " +
                         (left.empty() ? std::string("processes") : join(left, ", ")) +
                         " running in its cgroup: it daemonized, and its cgroup is now the "
                         "service (ready, restarted and stopped as a whole); " +
                         foreground,
                     1);
}

void Supervisor::Impl::report_restarting(Service& entry, const Action& action) {
    const auto& decision = action.decision;
    m_reporter.event("restarting", entry.spec->name,
                     {{"attempt", decision.attempt},
                      {"max_restarts", entry.machine.restarts().max_restarts()},
                      {"delay_ms", decision.delay.count()},
                      {"base_delay_ms", decision.base_delay.count()},
                      {"reason", action.reason}},
                     "restarting in " + format_duration(decision.delay) + " (attempt " +
                         std::to_string(decision.attempt) + " of " +
                         std::to_string(entry.machine.restarts().max_restarts()) +
                         "): " + action.reason,
                     1);
    tell_waiting_dependents(entry, "restarting (attempt " + std::to_string(decision.attempt) +
                                       " in " + format_duration(decision.delay) + ")");
}

void Supervisor::Impl::arm_backoff(Service& entry, const Action& action) {
    entry.restart_timer.expires_after(action.decision.delay);
    entry.restart_timer.async_wait([this, &entry](const boost::system::error_code& ec) {
        if (!ec) {
            feed(entry, service_event::BackoffElapsed{});
        }
    });
}

// The old tree must be empty before the new one starts (it may hold the ports): remnants got
// SIGTERM at exit and SIGKILL after stop_grace (Windows: CTRL_BREAK, TerminateJobObject). A
// cgroup says when it empties (on_tree_emptied calls tree_gone); a process group or job is
// checked every 20 ms. Either way bounded: stop_grace + 2 s.
void Supervisor::Impl::await_tree_gone(Service& entry, int tries) {
    if (m_stopping || entry.state() != State::backoff) {
        return;
    }
    reap_orphans(owned_pids());
    if (!entry.tree.alive()) {
        tree_gone(entry);
        return;
    }
    const int max_tries = static_cast<int>(entry.spec->stop_grace.count() / 20) + 100;
    if (tries >= max_tries) {
        m_reporter.warn(entry.spec->name, "survived-kill",
                        std::string(entry.tree.kind_name()) + " " +
                            std::to_string(entry.tree.id()) + " survived " + kill_name() +
                            "; starting again anyway",
                        {{"pid", entry.tree.id()}});
        tree_gone(entry);
        return;
    }
    entry.awaiting_tree_gone = true;
    const bool evented = m_cgroup_watcher && entry.tree.contained();
    entry.restart_timer.expires_after(evented ? std::chrono::milliseconds(20 * max_tries)
                                              : std::chrono::milliseconds(20));
    entry.restart_timer.async_wait(
        [this, &entry, tries, evented, max_tries](const boost::system::error_code& ec) {
            if (!ec) {
                await_tree_gone(entry, evented ? max_tries : tries + 1);
            }
        });
}

void Supervisor::Impl::tree_gone(Service& entry) {
    entry.awaiting_tree_gone = false;
    entry.restart_timer.cancel();
    feed(entry, service_event::TreeGone{});
}

void Supervisor::Impl::start_again(Service& entry) {
    if (!entry.tree.alive()) {
        forget_dead_tree(entry);
    }
    entry.grace_timer.cancel();
    start_ready_services();
    if (entry.state() == State::built) {
        m_reporter.info(entry.spec->name, "waiting for its dependencies before restarting");
    }
}

// Never signal a group id the kernel may hand to someone else.
void Supervisor::Impl::forget_dead_tree(Service& entry) {
    if (!entry.tree.empty() && !entry.tree.alive()) {
        m_guard->forget_group(entry.tree.id());
        entry.tree = {};
    }
}

void Supervisor::Impl::give_up(Service& entry, const Action& action) {
    const std::string& name = entry.spec->name;
    const int max_restarts = entry.machine.restarts().max_restarts();
    if (action.deterministic) {
        m_reporter.event("gave_up", name,
                         {{"restarts", action.decision.attempt},
                          {"max_restarts", max_restarts},
                          {"reason", action.reason},
                          {"exit_code", action.exit_code},
                          {"deterministic", true}},
                         "not restarted: it would fail the same way (" + action.reason +
                             "); change what refused it (see the bind error above), then run "
                             "again",
                         2);
    } else if (action.decision.action == RestartDecision::Action::give_up) {
        m_reporter.event("gave_up", name,
                         {{"restarts", action.decision.attempt},
                          {"max_restarts", max_restarts},
                          {"reason", action.reason},
                          {"exit_code", action.exit_code}},
                         "gave up after " + std::to_string(action.decision.attempt) +
                             " restart(s) (max_restarts = " + std::to_string(max_restarts) +
                             "); last: " + action.reason,
                         2);
    } else {
        m_reporter.event(
            "gave_up", name,
            {{"restarts", 0},
             {"max_restarts", max_restarts},
             {"reason", action.reason},
             {"exit_code", action.exit_code},
             {"restart", to_string(entry.spec->restart)}},
            std::string("not restarted (restart = \"") + to_string(entry.spec->restart) + "\")", 2);
    }
    m_failure_code = std::max(m_failure_code, action.exit_code);
    reap_orphans(owned_pids());
    forget_dead_tree(entry);
    abandon_dependents(entry);
    if (m_options.stop_when_ready && !m_all_ready_reported) {
        shutdown(action.exit_code, name + " failed before every service was ready");
        return;
    }
    finish_if_nothing_left();
}

void Supervisor::Impl::finished(Service& entry, const Action&) {
    if (!entry.plan.ports.empty()) {
        m_reporter.info(entry.spec->name, std::string("not restarted (restart = \"") +
                                              to_string(entry.spec->restart) + "\")");
    }
    abandon_dependents(entry);
    start_ready_services(); // dependents waiting for it to complete (ready = "exit")
    finish_if_nothing_left();
}

// Services still waiting for a dependency that will not run again never start.
void Supervisor::Impl::abandon_dependents(const Service& stopped) {
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& name : m_order) {
            Service& entry = service(name);
            if (entry.state() != State::built && entry.state() != State::pending) {
                continue;
            }
            for (const auto& dep : entry.spec->depends_on) {
                const Service& dependency = service(dep);
                if (dependency.machine.settled() &&
                    !dependency.machine.satisfies(entry.spec->condition_on(dep))) {
                    m_reporter.event("abandoned", name, {{"dependency", dep}},
                                     "will not start: its dependency " + dep +
                                         (dep == stopped.spec->name
                                              ? ""
                                              : " (after " + stopped.spec->name + ")") +
                                         " stopped for good",
                                     2);
                    feed(entry, service_event::DependencyLost{dep});
                    changed = true;
                    break;
                }
            }
        }
    }
}

void Supervisor::Impl::tell_waiting_dependents(const Service& restarting, const std::string& why) {
    for (const auto& name : m_order) {
        Service& entry = service(name);
        if (entry.state() != State::built || !depends_on(*entry.spec, restarting.spec->name)) {
            continue;
        }
        m_reporter.event("waiting", name, {{"for", restarting.spec->name}, {"reason", why}},
                         "waiting for " + restarting.spec->name + ", which is " + why);
    }
}

void Supervisor::Impl::finish_if_nothing_left() {
    if (m_stopping) {
        return;
    }
    const bool settled = std::all_of(m_order.begin(), m_order.end(), [&](const std::string& n) {
        return service(n).machine.settled();
    });
    if (settled) {
        shutdown(m_failure_code,
                 m_failure_code == 0 ? "every service has finished" : "no service is left running");
    }
}

// A stop request to the service's tree, and its kill after stop_grace.
void Supervisor::Impl::stop_tree(Service& entry) {
    const ProcessTree tree = entry.tree;
    reap_orphans(owned_pids()); // a grandchild that outlived the service, now ours
    if (!tree.alive()) {
        return;
    }
    send_stop_request(entry, tree);
    entry.grace_timer.expires_after(entry.spec->stop_grace);
    entry.grace_timer.async_wait(
        [this, &entry, tree, generation = entry.generation](const boost::system::error_code& ec) {
            if (ec) {
                return;
            }
            reap_orphans(owned_pids());
            if (generation == entry.generation) {
                if (tree.alive() && tree.id() == entry.tree.id()) {
                    feed(entry, service_event::GraceExpired{true});
                }
                return;
            }
            // The next attempt started since: a restart waits for this tree to be gone, but the
            // timer can be due in the same pass of the loop as the report that it is, and run after
            // the restart, too late to be cancelled. A cgroup is the service's, the next attempt's
            // too: nothing of this tree is left in it to kill. A process group is this tree's own;
            // one that survived its SIGKILL (reported) gets another.
            if (!tree.contained() && tree.alive()) {
                tree.kill();
            }
        });
}

} // namespace golaunch
