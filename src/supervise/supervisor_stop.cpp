#include "supervise/supervisor_impl.hpp"

#include "supervise/exit_status.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace golaunch {

// ---------------------------------------------------------------- shutdown

void Supervisor::Impl::shutdown(int exit_code, const std::string& reason) {
    if (m_stopping) {
        return;
    }
    m_stopping = true;
    m_exit_code = exit_code;
    m_reporter.event("stopping", "", {{"reason", reason}, {"exit_code", exit_code}},
                     "stopping: " + reason);
    adopt_orphans();
    for (const auto& name : m_order) {
        Service& entry = service(name);
        if (entry.watch_timer) {
            entry.watch_timer->cancel();
        }
        if (entry.rebuild && entry.rebuild->tree.alive()) {
            entry.rebuild->tree.kill(); // a rebuild (watch) is not worth waiting for
        }
        if (service(name).health_timer) {
            service(name).health_timer->cancel();
        }
        if (service(name).watchdog_timer) {
            service(name).watchdog_timer->cancel();
        }
        feed(service(name), service_event::StopRun{});
    }
    stop_what_can_stop();
    check_drained();
}

bool Supervisor::Impl::dependents_stopped(const Service& entry) const {
    for (const auto& [name, other] : m_services) {
        const auto& deps = other->spec->depends_on;
        if (std::find(deps.begin(), deps.end(), entry.spec->name) != deps.end() &&
            running(*other) && other->state() != State::building) {
            return false;
        }
    }
    return true;
}

// Dependents stop before what they depend on: a stop request to a service's tree once every
// service that depends on it has exited; a kill after its stop_grace (Linux: SIGTERM to every
// process of its cgroup or group, then cgroup.kill or SIGKILL; Windows: CTRL_BREAK to its console
// process group, TerminateJobObject on its job).
void Supervisor::Impl::stop_what_can_stop() {
    for (auto it = m_order.rbegin(); it != m_order.rend(); ++it) {
        Service& entry = service(*it);
        if (!entry.tree.alive() || (running(entry) && !dependents_stopped(entry))) {
            continue;
        }
        feed(entry, service_event::StopNow{});
    }
}

// Done when every main process has been waited for and every tree is empty. A cgroup says when
// it empties (on_trees_changed calls back here); a process group does not: grandchildren that
// outlive their parent are waited on by nothing else, so without cgroups the groups are checked
// every 20 ms while stopping (bounded by the grace timers).
void Supervisor::Impl::check_drained() {
    reap_orphans(owned_pids());
    if (m_drained) {
        return;
    }
    bool drained = true;
    for (const auto& name : m_order) {
        const Service& entry = service(name);
        drained = drained && !entry.process_running && !entry.tree.alive();
    }
    if (drained && !m_drained) {
        m_drained = true;
        for (const auto& name : m_order) {
            service(name).grace_timer.cancel();
            if (!service(name).tree.empty()) {
                m_guard->forget_group(service(name).tree.id());
            }
        }
        m_signals.cancel();
        m_sigchld.cancel();
        m_drain_timer.cancel();
        if (m_tree_watch) {
            m_tree_watch->cancel();
        }
        if (m_guard_watch) {
            m_guard_watch->cancel();
        }
        if (m_open_readers == 0) {
            finish_run();
            return;
        }
        // Output still buffered in the pipes (the trees emptied before their ends were read), or
        // someone outside the trees (without cgroups: a setsid'd grandchild) still holds a
        // pipe: read until every pipe has ended, at most 200 ms, then stop listening and end the
        // loop whatever is still pending in it: nothing is left to supervise.
        m_drain_timer.expires_after(std::chrono::milliseconds(200));
        m_drain_timer.async_wait([this](const boost::system::error_code& ec) {
            if (ec) {
                return; // the last pipe ended first (see attach_output)
            }
            for (const auto& name : m_order) {
                for (const auto& reader : service(name).readers) {
                    reader->close();
                }
            }
            finish_run();
        });
        return;
    }
    stop_what_can_stop();
    if (m_cgroup_watcher) {
        return; // the cgroups' events and the exit handlers call back
    }
    adopt_orphans(); // a process that left its group while stopping still stops with it
    m_drain_timer.expires_after(std::chrono::milliseconds(20));
    m_drain_timer.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            check_drained();
        }
    });
}

// Every tree is empty and every pipe has ended (or stopped being read): the last word, then the
// loop ends, whatever is still pending in it.
void Supervisor::Impl::finish_run() {
    if (m_finished) {
        return;
    }
    m_finished = true;
    const auto took = elapsed_ms(m_started);
    m_reporter.event("stopped", "", {{"exit_code", m_exit_code}, {"elapsed_ms", took}},
                     "all services stopped");
    if (m_control) {
        m_control->close(); // its connections would keep the loop alive
    }
    asio::post(m_io, [this] { m_io.stop(); });
}

// SIGTERM (Windows: CTRL_BREAK) to the tree; when it cannot be delivered, no use waiting.
void Supervisor::Impl::send_stop_request(Service& entry, const ProcessTree& tree) {
    m_reporter.debug(entry.spec->name, std::string(stop_request_name()) + " to " +
                                           tree.kind_name() + " " + std::to_string(tree.id()));
    if (!tree.request_stop() && tree.alive()) {
        m_reporter.warn(entry.spec->name, "stop-request-failed",
                        std::string("cannot send ") + stop_request_name() + ": sending " +
                            kill_name() + " now",
                        {{"pid", tree.id()}});
        tree.kill();
    }
}

void Supervisor::Impl::kill_everything() {
    for (const auto& name : m_order) {
        const Service& entry = service(name);
        if (entry.tree.alive()) {
            entry.tree.kill();
        }
    }
}

} // namespace golaunch
