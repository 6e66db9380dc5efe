#include "supervise/supervisor.hpp"

#include "instance/private_dir.hpp"
#include "manifest/dependency_order.hpp"
#include "platform/process_info.hpp"
#include "supervise/supervisor_impl.hpp"

#include "util/duration.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace golaunch {

Supervisor::Supervisor(const Manifest& manifest, PortAssignments ports,
                       std::vector<DeclaredEndpoint> endpoints, RunOptions options,
                       Reporter& reporter)
    : m_impl(std::make_unique<Impl>(manifest, std::move(ports), std::move(endpoints),
                                    std::move(options), reporter)) {}

Supervisor::~Supervisor() = default;

namespace {

ServiceMachine::Config machine_config(const ServiceSpec& spec, const ServicePlan& plan) {
    ServiceMachine::Config config;
    config.has_ports = !plan.ports.empty();
    config.has_probe = spec.ready.kind == ReadyKind::http || spec.ready.kind == ReadyKind::log ||
                       spec.ready.kind == ReadyKind::exec || spec.ready.kind == ReadyKind::notify;
    config.ready_on_exit = spec.ready.kind == ReadyKind::exit;
    config.restart = spec.restart;
    config.max_restarts = spec.max_restarts;
    config.backoff = spec.backoff;
    config.startup_timeout = format_duration(spec.startup_timeout);
    return config;
}

} // namespace

Supervisor::Impl::Service::Service(asio::io_context& io, const ServiceSpec& service_spec,
                                   ServicePlan service_plan)
    : spec(&service_spec), plan(std::move(service_plan)),
      machine(machine_config(service_spec, plan)), poll_timer(io), timeout_timer(io),
      grace_timer(io), restart_timer(io) {
    if (spec->ready.kind == ReadyKind::log) {
        log_pattern.emplace(spec->ready.pattern);
    }
    if (spec->health.enabled) {
        health_timer = std::make_unique<asio::steady_timer>(io);
    }
    if (spec->ready.kind == ReadyKind::notify) {
        watchdog_timer = std::make_unique<asio::steady_timer>(io);
    }
}

int Supervisor::run() {
    return m_impl->run();
}

int Supervisor::Impl::run() {
    m_order = dependency_order(m_manifest, m_options.selected);
    m_reporter.set_services(m_order);
    plan_all();
    check_build_outputs();

    for (const auto& name : m_order) {
        m_longest_grace = std::max(m_longest_grace, service(name).spec->stop_grace);
    }
    setup_containment();
    choose_monitor(); // before SIGCHLD is watched: it forks a probe child and waits for it
    become_child_subreaper();
    start_guard();
    watch_signals();
    watch_sigchld();
    open_control();

    m_reporter.event("starting", "",
                     {{"manifest", m_manifest.path.string()},
                      {"services", m_order},
                      {"guard_pid", m_guard->pid()},
                      {"control", m_control ? m_control->path().string() : ""},
                      {"containment", m_cgroup_watcher ? "cgroup" : tree_kind_name()}},
                     "starting " + join(m_order, ", ") + " from " + m_manifest.path.string());
    // Nobody reads golaunch's output any more (`golaunch run | head -3`): a clean stop.
    m_reporter.set_on_output_closed([this] {
        asio::post(m_io, [this] {
            shutdown(128 + 13, "the reader of golaunch's output went away (EPIPE)");
        });
    });
    setup_watch();
    asio::post(m_io, [this] { build_next(); });
    m_io.run();
    m_reporter.set_event_tap(nullptr);
    if (m_control) {
        m_control->close();
    }
    m_reporter.set_on_output_closed(nullptr);
    m_guard.reset();
    return m_exit_code;
}

void Supervisor::Impl::plan_all() {
    const auto base_env = current_environment();
    for (const auto& name : m_order) {
        const ServiceSpec& spec = *m_manifest.find_service(name);
        auto plan = plan_service(m_manifest, spec, m_ports, base_env, current_process_id());
        auto entry = std::make_unique<Service>(m_io, spec, std::move(plan));
        if (spec.ready.kind == ReadyKind::notify) {
            open_notify_socket(*entry);
        }
        m_services.emplace(name, std::move(entry));
    }
}

// ---------------------------------------------------------------- containment

// A cgroup per service, each watched through one inotify fd; without cgroups, said once.
void Supervisor::Impl::setup_containment() {
    m_containment = contain_run(m_manifest);
    if (m_containment.cgroups) {
        try {
            m_cgroup_watcher = std::make_unique<CgroupWatcher>();
            for (const auto& name : m_order) {
                Service& entry = service(name);
                entry.cgroup = &m_containment.cgroups->add_service(name);
                m_watched[m_cgroup_watcher->add(entry.cgroup->events_path())] = name;
            }
        } catch (const Error& error) {
            m_containment.fallback = error.what();
            m_watched.clear();
            m_cgroup_watcher.reset();
            for (const auto& name : m_order) {
                service(name).cgroup = nullptr;
            }
            m_containment.cgroups.reset();
        }
    }
    for (const auto& name : m_order) {
        Service& entry = service(name);
        entry.plan.run.cgroup = entry.cgroup;
        if (entry.plan.build) {
            entry.plan.build->cgroup = entry.cgroup;
        }
    }
    if (!m_containment.fallback.empty()) {
        m_reporter.event(
            "containment", "", {{"kind", tree_kind_name()}, {"reason", m_containment.fallback}},
            std::string("services are kept together by ") + tree_kind_name() + " only (" +
                m_containment.fallback + "): a process that calls setsid can escape its service",
            1);
        return;
    }
    if (m_cgroup_watcher) {
        m_reporter.debug("", "each service runs in a cgroup of its own under " +
                                 m_containment.cgroups->dir());
        m_tree_watch = std::make_unique<ReadableWatch>(m_io, m_cgroup_watcher->fd(),
                                                       [this] { on_trees_changed(); });
        m_tree_watch->arm();
    }
}

void Supervisor::Impl::on_trees_changed() {
    for (const int id : m_cgroup_watcher->read_changes()) {
        const auto found = m_watched.find(id);
        if (found != m_watched.end() && !service(found->second).tree.alive()) {
            on_tree_emptied(service(found->second));
        }
    }
    if (!m_drained) {
        m_tree_watch->arm();
    }
}

// The kernel says a service's cgroup has no process left.
void Supervisor::Impl::on_tree_emptied(Service& entry) {
    if (m_stopping) {
        check_drained();
        return;
    }
    if (entry.awaiting_tree_gone) {
        tree_gone(entry); // in backoff: the restart may begin
        return;
    }
    if (!entry.process_running) {
        feed(entry, service_event::TreeEmptied{}); // a daemonized service ended
    }
}

// Without cgroups (containment fallback): a process of ours that left its service's process
// group (setsid, a group of its own) is found under golaunch, the child subreaper, by its mark
// (GOLAUNCH_PID = ours, GOLAUNCH_SERVICE = its service). Its group joins the service's tree, and
// the orphan guard learns it, so it stops with the service, on kill -9 of golaunch too. Looked
// for when something changes (a service is ready, a child exited, the run stops), never polled
// while the services run.
void Supervisor::Impl::adopt_orphans() {
    if (m_cgroup_watcher || trees_hold_all_descendants()) {
        return;
    }
    const pid_t self = current_process_id();
    std::vector<pid_t> known{self};
    for (const auto& [name, entry] : m_services) {
        known.push_back(entry->tree.id());
    }
    if (m_guard) {
        known.push_back(m_guard->pid());
    }
    for (const pid_t pid : descendants_of(self)) {
        const auto info = read_process_info(pid);
        if (!info || info->golaunch_pid != self || info->pgid <= 1 ||
            std::find(known.begin(), known.end(), info->pgid) != known.end()) {
            continue;
        }
        const auto found = m_services.find(info->golaunch_service);
        if (found == m_services.end() || found->second->tree.empty()) {
            continue;
        }
        Service& entry = *found->second;
        const auto before = entry.tree.adopted_groups();
        if (std::find(before.begin(), before.end(), info->pgid) != before.end()) {
            continue;
        }
        entry.tree.adopt_group(info->pgid);
        m_guard->watch_group(info->pgid);
        m_reporter.event("adopted", entry.spec->name,
                         {{"pid", pid}, {"pgid", info->pgid}, {"name", info->name}},
                         "pid " + std::to_string(pid) + " (" + info->name +
                             ") left the service's process group; it is still part of " +
                             entry.spec->name + " and stops with it");
    }
}

// ready = "notify": the service's NOTIFY_SOCKET, read on the loop. Only its own processes
// (its cgroup, its process group, a group it adopted) are heard.
void Supervisor::Impl::open_notify_socket(Service& entry) {
    entry.notify = std::make_unique<NotifySocket>(
        m_io, "golaunch-" + std::to_string(current_process_id()) + "-" + entry.spec->name,
        [this, &entry](int pid, const std::map<std::string, std::string>& fields) {
            on_notify(entry, pid, fields);
        });
    std::erase_if(entry.plan.run.env,
                  [](const std::string& kv) { return kv.rfind("NOTIFY_SOCKET=", 0) == 0; });
    entry.plan.run.env.push_back("NOTIFY_SOCKET=" + entry.notify->address());
}

bool Supervisor::Impl::in_service(const Service& entry, int pid) const {
    if (pid <= 0 || entry.tree.empty()) {
        return false;
    }
    if (pid == entry.tree.id() || entry.tree.contains(pid)) {
        return true;
    }
    const auto info = read_process_info(pid);
    if (!info) {
        return false;
    }
    const auto adopted = entry.tree.adopted_groups();
    return info->pgid == entry.tree.id() ||
           std::find(adopted.begin(), adopted.end(), info->pgid) != adopted.end();
}

void Supervisor::Impl::on_notify(Service& entry, int pid,
                                 const std::map<std::string, std::string>& fields) {
    if (!in_service(entry, pid)) {
        m_reporter.warn(entry.spec->name, "notify-ignored",
                        "ignored an sd_notify message from pid " + std::to_string(pid) +
                            ", which is not one of this service's processes",
                        {{"pid", pid}});
        return;
    }
    if (const auto status = fields.find("STATUS"); status != fields.end()) {
        m_reporter.event("status", entry.spec->name, {{"status", status->second}, {"pid", pid}},
                         "status: " + status->second);
    }
    if (const auto usec = fields.find("WATCHDOG_USEC"); usec != fields.end()) {
        entry.watchdog = std::chrono::microseconds(std::strtoll(usec->second.c_str(), nullptr, 10));
    }
    if (fields.count("WATCHDOG") != 0 && fields.at("WATCHDOG") == "1" &&
        entry.watchdog.count() > 0 && entry.state() == State::ready) {
        arm_watchdog(entry);
    }
    if (fields.count("READY") != 0 && fields.at("READY") == "1" && !entry.notify_ready &&
        entry.state() == State::starting) {
        entry.notify_ready = true;
        if (entry.probing) {
            post_probe_passed(entry);
        }
    }
}

// WATCHDOG_USEC=N: from ready on, a WATCHDOG=1 at least every N microseconds, or it is unhealthy.
void Supervisor::Impl::arm_watchdog(Service& entry) {
    entry.watchdog_timer->expires_after(entry.watchdog);
    entry.watchdog_timer->async_wait([this, &entry, generation = entry.generation](
                                         const boost::system::error_code& ec) {
        if (!ec && generation == entry.generation && entry.state() == State::ready && !m_stopping) {
            feed(entry, service_event::Unhealthy{"no WATCHDOG=1 within " +
                                                 std::to_string(entry.watchdog.count() / 1000) +
                                                 "ms (sd_notify watchdog, WATCHDOG_USEC)"});
        }
    });
}

bool Supervisor::Impl::running(const Service& entry) const {
    return entry.process_running || (entry.machine.daemonized() && entry.tree.alive());
}

// ---------------------------------------------------------------- the orphan guard

void Supervisor::Impl::start_guard() {
    m_guard = std::make_unique<OrphanGuard>(
        m_longest_grace, m_containment.cgroups ? m_containment.cgroups->dir() : std::string());
    if (m_guard->pidfd() >= 0) {
        m_guard_watch =
            std::make_unique<ReadableWatch>(m_io, m_guard->pidfd(), [this] { on_guard_died(); });
        m_guard_watch->arm();
    }
}

// The guard is what stops the services if golaunch is killed: one that died (killed by
// someone, out of memory) is replaced at once, and told every group it must know.
void Supervisor::Impl::on_guard_died() {
    if (m_drained) {
        return;
    }
    const int old_pid = m_guard->pid();
    m_guard_watch.reset();
    m_guard.reset(); // reaps it
    start_guard();
    for (const auto& name : m_order) {
        const Service& entry = service(name);
        if (!entry.tree.empty() && !entry.tree.contained() &&
            (entry.process_running || entry.tree.alive())) {
            m_guard->watch_group(entry.tree.id());
            for (const int pgid : entry.tree.adopted_groups()) {
                m_guard->watch_group(pgid);
            }
        }
    }
    m_reporter.event("guard_restarted", "", {{"old_pid", old_pid}, {"pid", m_guard->pid()}},
                     "the orphan guard (pid " + std::to_string(old_pid) +
                         ") died; started a new one (pid " + std::to_string(m_guard->pid()) +
                         "), which stops the services if golaunch is killed",
                     1);
}

// Before anything starts: the binaries `go build -o .golaunch/bin/NAME` writes (or, with
// --skip-build, that are run), their folder and the build cache are never reached through a
// link (instance/private_dir.hpp). Go itself would follow one (a dangling bin/NAME is created).
void Supervisor::Impl::check_build_outputs() {
    for (const auto& name : m_order) {
        if (!service(name).plan.build) {
            continue;
        }
        const auto binary = built_binary_path(m_manifest, name);
        if (m_options.skip_build) {
            check_private_dirs(binary.parent_path());
        } else {
            ensure_private_dir(binary.parent_path());
            refuse_link(m_manifest.root_dir / ".golaunch" / "go-cache");
        }
        refuse_link(binary);
    }
}

// ---------------------------------------------------------------- plumbing

// The readers of earlier runs stay in `readers` until their pipes close: a daemon that escaped
// an earlier run may hold them open, and the end of the run must close them too.
void Supervisor::Impl::attach_output(Service& entry, const std::string& label,
                                     LaunchedProcess& process) {
    std::erase_if(entry.readers,
                  [](const std::shared_ptr<LineReader>& reader) { return reader->finished(); });
    for (auto* pipe : {&process.out, &process.err}) {
        const std::string stream = pipe == &process.out ? "stdout" : "stderr";
        ++m_open_readers;
        auto reader = std::make_shared<LineReader>(
            std::move(*pipe),
            [this, &entry, label, stream](const std::string& line) {
                const auto& logged =
                    m_logs.append(std::chrono::system_clock::now(), entry.spec->name, stream, line);
                if (m_control) {
                    m_control->publish_line(logged);
                }
                entry.recent.push_back(line);
                if (entry.recent.size() > k_recent_lines) {
                    entry.recent.pop_front();
                }
                if (entry.log_pattern && !entry.log_seen && entry.state() == State::starting &&
                    entry.log_pattern->search(line)) {
                    entry.log_seen = true;
                    if (entry.probing) {
                        post_probe_passed(entry);
                    }
                }
                m_reporter.service_line(label, stream, line);
            },
            [this] {
                // The last output after "stopped": once every pipe has ended, the run is over.
                if (--m_open_readers == 0 && m_drained) {
                    m_drain_timer.cancel();
                    finish_run();
                }
            });
        reader->start();
        entry.readers.push_back(reader);
    }
}

void Supervisor::Impl::watch_signals() {
    m_signals.async_wait([this](const boost::system::error_code& ec, int signo) {
        if (ec || m_drained) {
            return; // a completion queued before cancel() must not re-arm the wait
        }
        if (m_stopping) {
            m_reporter.warn("", "second-signal",
                            "second " + stop_signal_name(signo) + ": killing every service now",
                            {{"signal", stop_signal_name(signo)}});
            kill_everything();
        } else {
            shutdown(128 + signo, stop_signal_reason(signo));
        }
        // shutdown() may have drained at once (nothing was running: a service in its restart
        // backoff): a wait armed now would keep the loop alive for ever.
        if (!m_drained) {
            watch_signals();
        }
    });
}

void Supervisor::Impl::watch_sigchld() {
    m_sigchld.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec || m_drained) {
            return; // a completion queued before cancel() must not re-arm the wait
        }
        reap_orphans(owned_pids());
        adopt_orphans();
        if (!m_drained) {
            watch_sigchld();
        }
    });
}

std::vector<int> Supervisor::Impl::owned_pids() const {
    std::vector<int> pids;
    for (const auto& [name, entry] : m_services) {
        if (entry->process_running) {
            pids.push_back(entry->tree.id());
        }
    }
    if (m_guard) {
        pids.push_back(m_guard->pid());
    }
    return pids;
}

} // namespace golaunch
