#include "supervise/supervisor_impl.hpp"

#include "platform/port_owners.hpp"
#include "platform/process_activity.hpp"
#include "platform/socket_table.hpp"
#include "supervise/exit_status.hpp"
#include "supervise/launch_platform.hpp"
#include "supervise/readiness.hpp"
#include "supervise/startup_diagnosis.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstdio>

namespace golaunch {

// ---------------------------------------------------------------- build

// One build at a time, in dependency order; the next starts when this one ends.
void Supervisor::Impl::build_next() {
    if (m_stopping) {
        return;
    }
    for (const auto& name : m_order) {
        Service& entry = service(name);
        if (entry.state() != State::pending) {
            continue;
        }
        feed(entry, service_event::Begin{entry.plan.build && !m_options.skip_build});
        if (entry.state() == State::building) {
            return;
        }
    }
    start_ready_services();
}

void Supervisor::Impl::start_build(Service& entry) {
    const std::string& name = entry.spec->name;
    m_reporter.event(
        "build", name, {{"command", display_command(*entry.plan.build)}},
        "building " + entry.spec->go_package + " -> " +
            built_binary_path(m_manifest, name).lexically_relative(m_manifest.root_dir).string());
    entry.started = Clock::now();
    entry.process = launch_process(m_io, *entry.plan.build);
    entry.process_running = true;
    entry.tree = entry.process->tree;
    if (!entry.tree.contained()) { // the guard empties the run's cgroups itself
        m_guard->watch_group(entry.tree.id());
    }
    attach_output(entry, name, *entry.process);
    entry.process->process.async_wait([this, &entry](boost::system::error_code, int) {
        on_build_exit(entry, entry.process->process.native_exit_code());
    });
}

void Supervisor::Impl::on_build_exit(Service& entry, int native_status) {
    entry.process_running = false;
    feed(entry, service_event::BuildExited{exited_successfully(native_status),
                                           describe_exit(native_status)});
}

void Supervisor::Impl::report_built(Service& entry) {
    const auto took = elapsed_ms(entry.started);
    m_guard->forget_group(entry.tree.id());
    std::erase_if(entry.readers, [](const auto& reader) { return reader->finished(); });
    // Not destroyed inside its own completion handler: released once the handler returned.
    asio::post(m_io, [process = std::shared_ptr<LaunchedProcess>(std::move(entry.process))] {});
    m_built_any = true;
    m_reporter.event("built", entry.spec->name, {{"build_ms", took}},
                     "built in " + format_duration(Duration(took)));
    build_next();
}

// ---------------------------------------------------------------- start and readiness

bool Supervisor::Impl::dependencies_ready(const Service& entry) const {
    return std::all_of(
        entry.spec->depends_on.begin(), entry.spec->depends_on.end(), [&](const std::string& dep) {
            return m_services.at(dep)->machine.satisfies(entry.spec->condition_on(dep));
        });
}

void Supervisor::Impl::start_ready_services() {
    if (m_stopping) {
        return;
    }
    for (const auto& name : m_order) {
        Service& entry = service(name);
        if (entry.state() == State::built && dependencies_ready(entry)) {
            feed(entry, service_event::StartAllowed{});
            if (m_stopping) {
                return;
            }
        }
    }
    // A one-shot that ran and finished counts as ready.
    const bool all_ready = std::all_of(m_order.begin(), m_order.end(), [&](const std::string& n) {
        const Service& entry = service(n);
        return entry.state() == State::ready ||
               (entry.state() == State::exited && entry.machine.ever_ready());
    });
    if (all_ready && !m_all_ready_reported) {
        m_all_ready_reported = true;
        const auto took = elapsed_ms(m_started);
        m_reporter.event("all_ready", "", {{"services", m_order}, {"elapsed_ms", took}},
                         "all " + std::to_string(m_order.size()) + " services ready (" +
                             format_duration(Duration(took)) +
                             (m_built_any ? " including builds)" : ")") +
                             (m_options.stop_when_ready ? "" : "; Ctrl-C stops them"));
        if (m_options.stop_when_ready) {
            shutdown(static_cast<int>(ExitCode::ok), "all services ready (--stop-when-ready)");
        }
    }
}

void Supervisor::Impl::launch(Service& entry) {
    const std::string& name = entry.spec->name;
    entry.generation++; // handlers of the previous run (timers, bind events) now do nothing
    entry.ready_at.reset();
    put_new_binary_in_place(entry);
    // Stamped before the fork: ready_ms must not undercount the service's own startup (its
    // clock starts at exec, while launch_process returns only after more work of ours).
    entry.started = Clock::now();
    try {
        prepare_monitoring(entry);
        entry.process = launch_process(m_io, entry.plan.run);
    } catch (const Error& error) {
        entry.plan.run.child_hook = nullptr;
        entry.next_session.reset();
        feed(entry,
             service_event::LaunchFailed{std::string(error.what()) +
                                         (error.hint().empty() ? "" : " (" + error.hint() + ")")});
        return;
    }
    entry.process_running = true;
    entry.tree = entry.process->tree;
    if (!entry.tree.contained()) { // the guard empties the run's cgroups itself
        m_guard->watch_group(entry.tree.id());
    }
    entry.bind_calls = 0;
    entry.last_bind_failure.clear();
    entry.recent.clear(); // a timeout report shows this attempt's output only
    entry.log_seen = false;
    entry.probing = false;
    entry.notify_ready = false;
    entry.watchdog = std::chrono::microseconds(0);
    attach_monitoring(entry);
    attach_output(entry, name, *entry.process);
    std::vector<std::string> argv{entry.plan.run.executable.string()};
    argv.insert(argv.end(), entry.plan.run.args.begin(), entry.plan.run.args.end());
    m_reporter.event(
        "started", name, {{"pid", entry.tree.id()}, {"command", argv}, {"ports", entry.plan.ports}},
        "started pid " + std::to_string(entry.tree.id()) + ": " + display_command(entry.plan.run));
    entry.process->process.async_wait([this, &entry](boost::system::error_code, int) {
        // The bind()/listen() events of calls made before the exit are handled before it: the
        // monitor hands them over now, and the exit waits behind them in the queue.
        if (entry.session) {
            entry.session->flush();
        }
        asio::post(m_io, [this, &entry, status = entry.process->process.native_exit_code()] {
            on_service_exit(entry, status);
        });
    });
    feed(entry, service_event::Launched{});
    // Dependents waiting for it with "started" may go now.
    asio::post(m_io, [this] { start_ready_services(); });
}

// The startup timer, and the socket table polled unless the bind monitor's listen() events say
// when it is ready.
void Supervisor::Impl::watch_readiness(Service& entry) {
    entry.timeout_timer.expires_after(entry.spec->startup_timeout);
    entry.timeout_timer.async_wait(
        [this, &entry, generation = entry.generation](const boost::system::error_code& ec) {
            if (!ec && generation == entry.generation) {
                feed(entry, service_event::StartupTimeout{});
            }
        });
    if (entry.plan.ports.empty()) {
        return; // ready = "exit", or a probe that starts at once
    }
    if (!entry.readiness) { // no monitor session for this launch
        entry.readiness =
            polled_readiness(system_socket_table(), entry.tree.id(), entry.plan.ports,
                             [tree = entry.tree](pid_t pid) { return tree.contains(pid); });
    }
    if (entry.readiness->polled()) {
        poll_readiness(entry);
    }
}

void Supervisor::Impl::stop_watching(Service& entry) {
    entry.poll_timer.cancel();
    entry.timeout_timer.cancel();
    entry.probing = false;
    // Not destroyed inside one of its own handlers: released once the current handler returned.
    asio::post(m_io, [probe = std::shared_ptr<ProbeRunner>(std::move(entry.probe))] {});
}

// Its ports listen (or it has none): the probe now, not on a timer. A log line may have come
// already.
void Supervisor::Impl::start_probe(Service& entry) {
    entry.ports_listening = Clock::now();
    entry.probing = true;
    const ReadySpec& ready = entry.spec->ready;
    const auto on_pass = [this, &entry] {
        post_probe_passed(entry);
    };
    if (ready.kind == ReadyKind::log || ready.kind == ReadyKind::notify) {
        if (entry.log_seen || entry.notify_ready) {
            post_probe_passed(entry);
        }
        return;
    }
    try {
        if (ready.kind == ReadyKind::http) {
            entry.probe = http_probe(
                m_io, entry.plan.probe_url, ready.status,
                ready.body.empty() ? std::nullopt : std::optional<Pattern>(Pattern(ready.body)),
                ready.timeout, on_pass);
        } else {
            entry.probe = exec_probe(m_io, *entry.plan.probe, ready.timeout, on_pass);
        }
        entry.probe->start();
    } catch (const Error& error) {
        m_reporter.error(entry.spec->name, std::string("readiness probe: ") + error.what());
    }
}

void Supervisor::Impl::post_probe_passed(Service& entry) {
    asio::post(m_io, [this, &entry, generation = entry.generation] {
        if (generation == entry.generation && entry.probing) {
            feed(entry, service_event::ProbePassed{});
        }
    });
}

void Supervisor::Impl::poll_readiness(Service& entry) {
    if (entry.state() != State::starting) {
        return;
    }
    bool ready = false;
    try {
        ready = entry.readiness->poll();
    } catch (const Error& error) {
        m_reporter.warn(entry.spec->name, "readiness-check-failed",
                        std::string("readiness check failed: ") + error.what());
    }
    if (ready) {
        feed(entry, service_event::PortsListening{});
        return;
    }
    entry.poll_timer.expires_after(m_options.poll_interval);
    entry.poll_timer.async_wait(
        [this, &entry, generation = entry.generation](const boost::system::error_code& ec) {
            if (!ec && generation == entry.generation) {
                poll_readiness(entry);
            }
        });
}

void Supervisor::Impl::report_ready(Service& entry) {
    adopt_orphans(); // what it started on the way (a setsid'd helper) is part of it
    entry.ready_at = std::chrono::system_clock::now();
    const double took = elapsed_ms_precise(entry.started);
    std::vector<std::string> where;
    if (entry.readiness) {
        where = entry.readiness->listening();
        check_host_families(entry);
    }
    char took_text[32];
    std::snprintf(took_text, sizeof took_text, "%.1fms", took);
    auto fields = readiness_fields(entry);
    fields.update({{"ready_ms", took}, {"listening", where}, {"pid", entry.tree.id()}});
    m_reporter.event("ready", entry.spec->name, fields,
                     where.empty() ? "running (no ports declared) after " + std::string(took_text)
                                   : "ready in " + std::string(took_text) + ", listening on " +
                                         join(where, ", "));
    report_rebuilt(entry);
    schedule_health(entry);
    if (entry.watchdog_timer && entry.watchdog.count() > 0) {
        arm_watchdog(entry);
    }
    start_ready_services();
}

// ---------------------------------------------------------------- health after ready

void Supervisor::Impl::schedule_health(Service& entry) {
    if (!entry.health_timer) {
        return;
    }
    entry.health_failures = 0;
    entry.health.reset();
    entry.health_timer->expires_after(entry.spec->health.interval);
    entry.health_timer->async_wait([this, &entry, generation = entry.generation](
                                       const boost::system::error_code& ec) {
        if (!ec && generation == entry.generation && entry.state() == State::ready && !m_stopping) {
            check_health(entry);
        }
    });
}

// One check; `failures` in a row make it unhealthy (the machine stops it; its restart policy
// decides). Checks never overlap: the next is armed when this one has answered.
void Supervisor::Impl::check_health(Service& entry) {
    const HealthSpec& health = entry.spec->health;
    if (!entry.health) {
        try {
            entry.health =
                health.kind == ReadyKind::http
                    ? http_probe(m_io, entry.plan.health_url, health.status,
                                 health.body.empty() ? std::nullopt
                                                     : std::optional<Pattern>(Pattern(health.body)),
                                 health.timeout, [] {})
                    : exec_probe(m_io, *entry.plan.health, health.timeout, [] {});
        } catch (const Error& error) {
            m_reporter.error(entry.spec->name, std::string("health check: ") + error.what());
            return;
        }
    }
    entry.health->check_once(
        [this, &entry, generation = entry.generation](bool passed, const std::string& what) {
            asio::post(m_io, [this, &entry, generation, passed, what] {
                if (generation != entry.generation || entry.state() != State::ready || m_stopping) {
                    return;
                }
                if (passed) {
                    entry.health_failures = 0;
                } else {
                    ++entry.health_failures;
                    m_reporter.event("health_check_failed", entry.spec->name,
                                     {{"failures", entry.health_failures},
                                      {"of", entry.spec->health.failures},
                                      {"what", what}});
                    if (entry.health_failures >= entry.spec->health.failures) {
                        feed(entry, service_event::Unhealthy{what + " (" +
                                                             std::to_string(entry.health_failures) +
                                                             " checks in a row)"});
                        return;
                    }
                }
                entry.health_timer->expires_after(entry.spec->health.interval);
                entry.health_timer->async_wait(
                    [this, &entry, generation](const boost::system::error_code& ec) {
                        if (!ec && generation == entry.generation &&
                            entry.state() == State::ready && !m_stopping) {
                            check_health(entry);
                        }
                    });
            });
        });
}

void Supervisor::Impl::report_unhealthy(Service& entry, const Action& action) {
    m_reporter.event("unhealthy", entry.spec->name,
                     {{"reason", action.reason}, {"failures", entry.health_failures}},
                     "unhealthy: " + action.reason +
                         "; stopping it, then its restart policy decides (dependents keep "
                         "running)",
                     1);
}

// Facts for startup_diagnosis: the service's process tree (group and descendants) with its
// threads and sockets, the ports of this run, and what listens on the machine now.
std::vector<std::string> Supervisor::Impl::diagnose_timeout(Service& entry) {
    DiagnosisFacts facts;
    facts.declared_ports = entry.plan.ports;
    try {
        const auto& table = system_socket_table();
        facts.processes = read_tree_activity(entry.tree.id(), entry.tree.id(), table);
        SocketQuery query;
        query.listening_only = true;
        for (const auto& socket : table.query(query)) {
            (socket.protocol == Protocol::tcp ? facts.tcp_listening : facts.udp_bound)
                .insert(socket.local_port);
        }
    } catch (const std::exception& error) {
        return {std::string("cannot read what it is doing: ") + error.what()};
    }
    for (const auto& [service_name, ports] : m_ports) {
        const auto found = m_services.find(service_name);
        const bool ready = found != m_services.end() && found->second->state() == State::ready;
        for (const auto& [port_name, number] : ports) {
            facts.run_ports[number] = PortOwnerName{service_name, port_name, ready};
        }
    }
    return diagnose_startup(facts);
}

// Not ready in time: say what the process is doing (startup_diagnosis). The machine then stops
// its tree (SIGTERM, stop_grace, SIGKILL; Windows: CTRL_BREAK, TerminateJobObject); its exit is
// a failure the restart policy handles.
void Supervisor::Impl::report_timeout(Service& entry) {
    const std::string& name = entry.spec->name;
    // What the socket table says now, whichever engine watched it start: who holds its ports.
    ReadinessProbe table(system_socket_table(), entry.tree.id(), entry.plan.ports,
                         [tree = entry.tree](pid_t pid) { return tree.contains(pid); });
    try {
        table.poll();
    } catch (const Error& error) {
        m_reporter.warn(name, "readiness-check-failed",
                        std::string("readiness check failed: ") + error.what());
    }
    std::vector<std::string> lines;
    for (const auto port : table.missing_ports()) {
        std::string line = "port " + std::to_string(port) + " is not listening";
        const auto found = table.listeners().find(port);
        if (found != table.listeners().end()) {
            for (const auto& listener : found->second) {
                for (const pid_t owner : listener.owners) {
                    const auto info = read_process_info(owner);
                    line += "; held on " + listener.address + " by " +
                            (info ? describe_owner(*info) : "pid " + std::to_string(owner));
                }
            }
        }
        lines.push_back(line);
    }
    auto diagnosis = diagnose_timeout(entry);
    if (entry.probing) {
        const auto since = std::chrono::duration<double>(Clock::now() - entry.ports_listening);
        char seconds[32];
        std::snprintf(seconds, sizeof seconds, "%.2f s", since.count());
        const std::string what =
            entry.probe ? entry.probe->summary()
            : entry.spec->ready.kind == ReadyKind::notify
                ? "no READY=1 on NOTIFY_SOCKET (" + entry.notify->address() + ") yet"
                : "no output line matched /" + entry.spec->ready.pattern + "/ yet";
        diagnosis.insert(
            diagnosis.begin(),
            std::string(entry.plan.ports.empty() ? "probing since " : "ports listening since ") +
                seconds + "; " + what);
    } else if (entry.spec->ready.kind == ReadyKind::exit) {
        diagnosis.insert(diagnosis.begin(), "ready = \"exit\": it has not exited yet");
    }
    if (entry.readiness && !entry.readiness->polled()) {
        diagnosis.insert(diagnosis.begin(),
                         entry.bind_calls == 0
                             ? "the bind monitor saw no bind() or listen() call yet"
                             : "the bind monitor saw " + std::to_string(entry.bind_calls) +
                                   " bind()/listen() call(s)" +
                                   (entry.last_bind_failure.empty()
                                        ? ""
                                        : "; the last failure: " + entry.last_bind_failure));
    }
    m_reporter.error(name, "not ready after " + format_duration(entry.spec->startup_timeout) +
                               " (startup_timeout): " + join(lines, "; "));
    for (const auto& line : diagnosis) {
        m_reporter.error(name, "  " + line);
    }
    if (!entry.recent.empty()) {
        m_reporter.error(name, "last output lines:");
        for (const auto& line : entry.recent) {
            m_reporter.error(name, "  " + line);
        }
    }
    m_reporter.event(
        "timeout", name,
        {{"missing_ports", table.missing_ports()},
         {"timeout_ms", entry.spec->startup_timeout.count()},
         {"diagnosis", diagnosis},
         {"last_lines", std::vector<std::string>(entry.recent.begin(), entry.recent.end())}});
}

} // namespace golaunch
