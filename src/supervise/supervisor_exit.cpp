// What happens when a service stops on its own: the restart policy (restart_policy.hpp) decides
// between restarting after a backoff, giving up, or leaving it stopped. The other services keep
// running; dependents that have not started wait for the restarted service to be ready again;
// dependents already running are left alone. When nothing is left running or waiting,
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
    const State previous = entry.state;
    // Exit 0 while its cgroup still runs, before or after ready: it daemonized (`caddy start`,
    // `setsid -f`). Not the end of the service: its cgroup is the service from now on.
    if (!m_stopping && !entry.timed_out && entry.tree.contained() && !entry.plan.ports.empty() &&
        (previous == State::starting || previous == State::ready) &&
        exited_successfully(native_status) && entry.tree.alive()) {
        on_daemonized(entry);
        return;
    }
    entry.poll_timer.cancel();
    entry.timeout_timer.cancel();
    const std::string& name = entry.spec->name;
    m_reporter.event("exited", name,
                     {{"status", describe_exit(native_status)}, {"pid", entry.tree.id()}},
                     m_stopping ? describe_exit(native_status) : "", 0);
    if (m_stopping) {
        entry.state = State::exited;
        stop_what_can_stop();
        check_drained();
        return;
    }
    ExitKind kind = ExitKind::clean;
    std::string reason = describe_exit(native_status);
    if (entry.timed_out) {
        kind = ExitKind::startup_timeout;
        reason = "not ready after " + format_duration(entry.spec->startup_timeout) +
                 " (startup_timeout)";
    } else if (!exited_successfully(native_status) ||
               (previous == State::starting && !entry.plan.ports.empty())) {
        kind = ExitKind::failed;
        reason += previous == State::starting ? " before it was ready" : "";
        m_reporter.error(name, "pid " + std::to_string(entry.tree.id()) + " " + reason);
    } else {
        m_reporter.info(name, "finished (" + reason + ")");
    }
    if (!entry.timed_out && entry.tree.alive()) {
        stop_group(entry); // what it left in its group (a grandchild) goes before any restart
    }
    after_exit(entry, kind, reason);
}

// Says once what happened, naming what it left running and how to keep it in the foreground,
// then goes on waiting for its ports (if not ready yet) or serving (if it was).
void Supervisor::Impl::on_daemonized(Service& entry) {
    entry.daemonized = true;
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
                      {"state", entry.state == State::ready ? "ready" : "starting"}},
                     "pid " + std::to_string(entry.tree.id()) + " exited 0 and left " +
                         (left.empty() ? std::string("processes") : join(left, ", ")) +
                         " running in its cgroup: it daemonized, and its cgroup is now the "
                         "service (ready, restarted and stopped as a whole); " +
                         foreground,
                     1);
}

void Supervisor::Impl::after_exit(Service& entry, ExitKind kind, const std::string& reason) {
    const std::string& name = entry.spec->name;
    const auto decision = entry.restarts->on_exit(kind);
    switch (decision.action) {
    case RestartDecision::Action::restart:
        schedule_restart(entry, decision, reason);
        return;
    case RestartDecision::Action::give_up: {
        const int code = kind == ExitKind::startup_timeout
                             ? static_cast<int>(ExitCode::startup_timeout)
                             : static_cast<int>(ExitCode::service_failed);
        m_reporter.event("gave_up", name,
                         {{"restarts", decision.attempt},
                          {"max_restarts", entry.restarts->max_restarts()},
                          {"reason", reason},
                          {"exit_code", code}},
                         "gave up after " + std::to_string(decision.attempt) +
                             " restart(s) (max_restarts = " +
                             std::to_string(entry.restarts->max_restarts()) + "); last: " + reason,
                         2);
        fail_for_good(entry, kind);
        return;
    }
    case RestartDecision::Action::stop:
        break;
    }
    if (kind == ExitKind::clean) {
        entry.state = State::exited;
        if (!entry.plan.ports.empty()) {
            m_reporter.info(name, std::string("not restarted (restart = \"") +
                                      to_string(entry.spec->restart) + "\")");
        }
        abandon_dependents(entry);
        finish_if_nothing_left();
        return;
    }
    const int code = kind == ExitKind::startup_timeout ? static_cast<int>(ExitCode::startup_timeout)
                                                       : static_cast<int>(ExitCode::service_failed);
    m_reporter.event(
        "gave_up", name,
        {{"restarts", 0},
         {"max_restarts", entry.restarts->max_restarts()},
         {"reason", reason},
         {"exit_code", code},
         {"restart", to_string(entry.spec->restart)}},
        std::string("not restarted (restart = \"") + to_string(entry.spec->restart) + "\")", 2);
    fail_for_good(entry, kind);
}

void Supervisor::Impl::schedule_restart(Service& entry, const RestartDecision& decision,
                                        const std::string& reason) {
    const std::string& name = entry.spec->name;
    entry.state = State::backoff;
    m_reporter.event("restarting", name,
                     {{"attempt", decision.attempt},
                      {"max_restarts", entry.restarts->max_restarts()},
                      {"delay_ms", decision.delay.count()},
                      {"base_delay_ms", decision.base_delay.count()},
                      {"reason", reason}},
                     "restarting in " + format_duration(decision.delay) + " (attempt " +
                         std::to_string(decision.attempt) + " of " +
                         std::to_string(entry.restarts->max_restarts()) + "): " + reason,
                     1);
    tell_waiting_dependents(entry, "restarting (attempt " + std::to_string(decision.attempt) +
                                       " in " + format_duration(decision.delay) + ")");
    entry.restart_timer.expires_after(decision.delay);
    entry.restart_timer.async_wait([this, &entry](const boost::system::error_code& ec) {
        if (!ec) {
            restart_when_group_gone(entry, 0);
        }
    });
}

// The old process group must be empty before the new one starts (it may hold the ports):
// remnants got SIGTERM at exit and SIGKILL after stop_grace (Windows: CTRL_BREAK,
// TerminateJobObject); wait for them, bounded.
void Supervisor::Impl::restart_when_group_gone(Service& entry, int tries) {
    if (m_stopping || entry.state != State::backoff) {
        return;
    }
    const int max_tries = static_cast<int>(entry.spec->stop_grace.count() / 20) + 100;
    reap_orphans(owned_pids());
    if (entry.tree.alive() && tries < max_tries) {
        entry.restart_timer.expires_after(std::chrono::milliseconds(20));
        entry.restart_timer.async_wait([this, &entry, tries](const boost::system::error_code& ec) {
            if (!ec) {
                restart_when_group_gone(entry, tries + 1);
            }
        });
        return;
    }
    if (entry.tree.alive()) {
        m_reporter.warn(entry.spec->name, std::string(entry.tree.kind_name()) + " " +
                                              std::to_string(entry.tree.id()) + " survived " +
                                              kill_name() + "; starting again anyway");
    } else if (!entry.tree.empty()) {
        m_guard->forget_group(entry.tree.id());
        entry.tree = {}; // never signal a group id the kernel may hand to someone else
    }
    entry.grace_timer.cancel();
    entry.state = State::built;
    start_ready_services();
    if (entry.state == State::built) {
        m_reporter.info(entry.spec->name, "waiting for its dependencies before restarting");
    }
}

void Supervisor::Impl::fail_for_good(Service& entry, ExitKind kind) {
    entry.state = State::failed;
    const int code = kind == ExitKind::startup_timeout ? static_cast<int>(ExitCode::startup_timeout)
                                                       : static_cast<int>(ExitCode::service_failed);
    m_failure_code = std::max(m_failure_code, code);
    reap_orphans(owned_pids());
    if (!entry.tree.empty() && !entry.tree.alive()) {
        m_guard->forget_group(entry.tree.id());
        entry.tree = {};
    }
    abandon_dependents(entry);
    if (m_options.stop_when_ready && !m_all_ready_reported) {
        shutdown(code, entry.spec->name + " failed before every service was ready");
        return;
    }
    finish_if_nothing_left();
}

// Services still waiting for a dependency that will not run again never start.
void Supervisor::Impl::abandon_dependents(const Service& stopped) {
    for (bool changed = true; changed;) {
        changed = false;
        for (const auto& name : m_order) {
            Service& entry = service(name);
            if (entry.state != State::built && entry.state != State::pending) {
                continue;
            }
            for (const auto& dep : entry.spec->depends_on) {
                const Service& dependency = service(dep);
                if (dependency.state == State::failed ||
                    (dependency.state == State::exited && !dependency_satisfied(dependency))) {
                    entry.state = State::failed;
                    m_failure_code =
                        std::max(m_failure_code, static_cast<int>(ExitCode::service_failed));
                    m_reporter.event("abandoned", name, {{"dependency", dep}},
                                     "will not start: its dependency " + dep +
                                         (dep == stopped.spec->name
                                              ? ""
                                              : " (after " + stopped.spec->name + ")") +
                                         " stopped for good",
                                     2);
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
        if (entry.state != State::built || !depends_on(*entry.spec, restarting.spec->name)) {
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
    for (const auto& name : m_order) {
        const State state = service(name).state;
        if (state != State::exited && state != State::failed) {
            return;
        }
    }
    shutdown(m_failure_code,
             m_failure_code == 0 ? "every service has finished" : "no service is left running");
}

void Supervisor::Impl::stop_group(Service& entry) {
    const ProcessTree tree = entry.tree;
    reap_orphans(owned_pids()); // a grandchild that outlived the service, now ours
    if (!tree.alive()) {
        return;
    }
    entry.term_sent = true;
    send_stop_request(entry, tree);
    entry.grace_timer.expires_after(entry.spec->stop_grace);
    entry.grace_timer.async_wait([this, &entry, tree](const boost::system::error_code& ec) {
        if (ec) {
            return;
        }
        reap_orphans(owned_pids());
        if (tree.alive()) {
            m_reporter.warn(entry.spec->name,
                            "still running " + format_duration(entry.spec->stop_grace) + " after " +
                                stop_request_name() + " (stop_grace): sending " + kill_name());
            tree.kill();
        }
    });
}

} // namespace golaunch
