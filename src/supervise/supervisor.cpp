#include "supervise/supervisor.hpp"

#include "manifest/dependency_order.hpp"
#include "platform/socket_table.hpp"
#include "preflight/port_owners.hpp"
#include "supervise/exit_status.hpp"
#include "supervise/launch_plan.hpp"
#include "supervise/line_reader.hpp"
#include "supervise/orphan_guard.hpp"
#include "supervise/readiness.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <deque>
#include <map>

namespace golaunch {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

namespace {

enum class State { pending, building, built, starting, ready, stopping, exited };

constexpr std::size_t k_recent_lines = 20;

long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

double elapsed_seconds_precise(Clock::time_point since) {
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

bool group_alive(pid_t pgid) { return pgid > 0 && (::kill(-pgid, 0) == 0 || errno == EPERM); }

} // namespace

struct Supervisor::Impl {
    struct Service {
        explicit Service(asio::io_context& io) : poll_timer(io), timeout_timer(io), grace_timer(io) {}
        const ServiceSpec* spec = nullptr;
        ServicePlan plan;
        State state = State::pending;
        std::unique_ptr<LaunchedProcess> process; // the service, or its `go build` while building
        bool process_running = false;
        pid_t pgid = 0;
        std::vector<std::shared_ptr<LineReader>> readers;
        asio::steady_timer poll_timer;
        asio::steady_timer timeout_timer;
        asio::steady_timer grace_timer;
        std::unique_ptr<ReadinessProbe> probe;
        Clock::time_point started;
        std::deque<std::string> recent;
        bool term_sent = false;
    };

    Impl(const Manifest& manifest, PortAssignments ports, RunOptions options, Reporter& reporter)
        : m_manifest(manifest), m_ports(std::move(ports)), m_options(std::move(options)),
          m_reporter(reporter), m_signals(m_io, SIGINT, SIGTERM), m_sigchld(m_io, SIGCHLD),
          m_drain_timer(m_io) {}

    int run();

    // phases
    void plan_all();
    void build_next();
    void on_build_exit(Service& service, int native_status);
    void start_ready_services();
    bool dependencies_ready(const Service& service) const;
    void start_service(Service& service);
    void poll_readiness(Service& service);
    void on_ready(Service& service);
    void on_startup_timeout(Service& service);
    void on_service_exit(Service& service, int native_status);

    // shutdown
    void shutdown(int exit_code, const std::string& reason);
    void stop_what_can_stop();
    bool dependents_stopped(const Service& service) const;
    void check_drained();
    void kill_everything();

    // plumbing
    void attach_output(Service& service, const std::string& label);
    void watch_signals();
    void watch_sigchld();
    std::vector<pid_t> owned_pids() const;
    Service& service(const std::string& name) { return *m_services.at(name); }

    const Manifest& m_manifest;
    PortAssignments m_ports;
    RunOptions m_options;
    Reporter& m_reporter;
    asio::io_context m_io;
    asio::signal_set m_signals;
    asio::signal_set m_sigchld;
    asio::steady_timer m_drain_timer;
    std::unique_ptr<OrphanGuard> m_guard;
    std::vector<std::string> m_order;
    std::map<std::string, std::unique_ptr<Service>> m_services;
    Clock::time_point m_started = Clock::now();
    bool m_stopping = false;
    bool m_all_ready_reported = false;
    bool m_drained = false;
    int m_open_readers = 0; // pipes still open; the loop ends when they and the processes are done
    int m_exit_code = 0;
};

Supervisor::Supervisor(const Manifest& manifest, PortAssignments ports, RunOptions options, Reporter& reporter)
    : m_impl(std::make_unique<Impl>(manifest, std::move(ports), std::move(options), reporter)) {}

Supervisor::~Supervisor() = default;

int Supervisor::run() { return m_impl->run(); }

int Supervisor::Impl::run() {
    m_order = dependency_order(m_manifest, m_options.selected);
    m_reporter.set_services(m_order);
    plan_all();

    Duration longest_grace{0};
    for (const auto& name : m_order) {
        longest_grace = std::max(longest_grace, service(name).spec->stop_grace);
    }
    become_child_subreaper();
    m_guard = std::make_unique<OrphanGuard>(longest_grace);
    watch_signals();
    watch_sigchld();

    m_reporter.event("starting", "",
                     {{"manifest", m_manifest.path.string()}, {"services", m_order}},
                     "starting " + join(m_order, ", ") + " from " + m_manifest.path.string());
    asio::post(m_io, [this] { build_next(); });
    m_io.run();
    m_guard.reset();
    return m_exit_code;
}

void Supervisor::Impl::plan_all() {
    const auto base_env = current_environment();
    for (const auto& name : m_order) {
        auto entry = std::make_unique<Service>(m_io);
        entry->spec = m_manifest.find_service(name);
        entry->plan = plan_service(m_manifest, *entry->spec, m_ports, base_env, ::getpid());
        m_services.emplace(name, std::move(entry));
    }
}

// ---------------------------------------------------------------- build

void Supervisor::Impl::build_next() {
    if (m_stopping) {
        return;
    }
    for (const auto& name : m_order) {
        Service& entry = service(name);
        if (entry.state != State::pending) {
            continue;
        }
        if (!entry.plan.build || m_options.skip_build) {
            entry.state = State::built;
            continue;
        }
        entry.state = State::building;
        std::filesystem::create_directories(built_binary_path(m_manifest, name).parent_path());
        m_reporter.event("build", name,
                         {{"command", shell_join([&] {
                               std::vector<std::string> argv{entry.plan.build->executable.string()};
                               argv.insert(argv.end(), entry.plan.build->args.begin(), entry.plan.build->args.end());
                               return argv;
                           }())}},
                         "building " + entry.spec->go_package + " -> " +
                             built_binary_path(m_manifest, name).lexically_relative(m_manifest.root_dir).string());
        entry.started = Clock::now();
        entry.process = launch_process(m_io, *entry.plan.build);
        entry.process_running = true;
        entry.pgid = entry.process->pid;
        m_guard->watch_group(entry.pgid);
        attach_output(entry, name);
        entry.process->process.async_wait([this, &entry](boost::system::error_code, int) {
            on_build_exit(entry, entry.process->process.native_exit_code());
        });
        return; // one build at a time; the next starts when this one ends
    }
    start_ready_services();
}

void Supervisor::Impl::on_build_exit(Service& entry, int native_status) {
    entry.process_running = false;
    const auto took = elapsed_ms(entry.started);
    if (m_stopping) {
        entry.state = State::exited;
        check_drained();
        return;
    }
    if (!exited_successfully(native_status)) {
        entry.state = State::exited;
        m_reporter.error(entry.spec->name, "go build " + entry.spec->go_package + " failed (" +
                                               describe_exit(native_status) + ") after " +
                                               format_duration(Duration(took)));
        shutdown(static_cast<int>(ExitCode::service_failed), "a build failed");
        return;
    }
    m_guard->forget_group(entry.pgid);
    entry.state = State::built;
    entry.readers.clear();
    // Not destroyed inside its own completion handler: released once the handler returned.
    asio::post(m_io, [process = std::shared_ptr<LaunchedProcess>(std::move(entry.process))] {});
    m_reporter.event("built", entry.spec->name, {{"build_ms", took}},
                     "built in " + format_duration(Duration(took)));
    build_next();
}

// ---------------------------------------------------------------- start and readiness

bool Supervisor::Impl::dependencies_ready(const Service& entry) const {
    return std::all_of(entry.spec->depends_on.begin(), entry.spec->depends_on.end(),
                       [&](const std::string& dep) { return m_services.at(dep)->state == State::ready; });
}

void Supervisor::Impl::start_ready_services() {
    if (m_stopping) {
        return;
    }
    for (const auto& name : m_order) {
        Service& entry = service(name);
        if (entry.state == State::built && dependencies_ready(entry)) {
            start_service(entry);
            if (m_stopping) {
                return;
            }
        }
    }
    const bool all_ready = std::all_of(m_order.begin(), m_order.end(),
                                       [&](const std::string& n) { return service(n).state == State::ready; });
    if (all_ready && !m_all_ready_reported) {
        m_all_ready_reported = true;
        const auto took = elapsed_ms(m_started);
        m_reporter.event("all_ready", "", {{"services", m_order}, {"elapsed_ms", took}},
                         "all " + std::to_string(m_order.size()) + " services ready (" +
                             format_duration(Duration(took)) + " including builds)" +
                             (m_options.stop_when_ready ? "" : "; Ctrl-C stops them"));
        if (m_options.stop_when_ready) {
            shutdown(static_cast<int>(ExitCode::ok), "all services ready (--stop-when-ready)");
        }
    }
}

void Supervisor::Impl::start_service(Service& entry) {
    const std::string& name = entry.spec->name;
    try {
        entry.process = launch_process(m_io, entry.plan.run);
    } catch (const Error& error) {
        entry.state = State::exited;
        m_reporter.error(name, std::string(error.what()) + (error.hint().empty() ? "" : " (" + error.hint() + ")"));
        shutdown(static_cast<int>(ExitCode::service_failed), "a service could not be started");
        return;
    }
    entry.state = State::starting;
    entry.started = Clock::now();
    entry.process_running = true;
    entry.pgid = entry.process->pid;
    m_guard->watch_group(entry.pgid);
    attach_output(entry, name);
    std::vector<std::string> argv{entry.plan.run.executable.string()};
    argv.insert(argv.end(), entry.plan.run.args.begin(), entry.plan.run.args.end());
    m_reporter.event("started", name, {{"pid", entry.pgid}, {"command", argv}, {"ports", entry.plan.ports}},
                     "started pid " + std::to_string(entry.pgid) + ": " + shell_join(argv));
    entry.process->process.async_wait([this, &entry](boost::system::error_code, int) {
        on_service_exit(entry, entry.process->process.native_exit_code());
    });
    if (entry.plan.ports.empty()) {
        on_ready(entry);
        return;
    }
    entry.probe = std::make_unique<ReadinessProbe>(system_socket_table(), entry.pgid, entry.plan.ports);
    entry.timeout_timer.expires_after(entry.spec->startup_timeout);
    entry.timeout_timer.async_wait([this, &entry](const boost::system::error_code& ec) {
        if (!ec) {
            on_startup_timeout(entry);
        }
    });
    poll_readiness(entry);
}

void Supervisor::Impl::poll_readiness(Service& entry) {
    if (entry.state != State::starting) {
        return;
    }
    bool ready = false;
    try {
        ready = entry.probe->poll();
    } catch (const Error& error) {
        m_reporter.warn(entry.spec->name, std::string("readiness check failed: ") + error.what());
    }
    if (ready) {
        on_ready(entry);
        return;
    }
    entry.poll_timer.expires_after(m_options.poll_interval);
    entry.poll_timer.async_wait([this, &entry](const boost::system::error_code& ec) {
        if (!ec) {
            poll_readiness(entry);
        }
    });
}

void Supervisor::Impl::on_ready(Service& entry) {
    entry.state = State::ready;
    entry.timeout_timer.cancel();
    entry.poll_timer.cancel();
    const double took = elapsed_seconds_precise(entry.started);
    std::vector<std::string> where;
    if (entry.probe) {
        for (const auto& [port, listeners] : entry.probe->listeners()) {
            for (const auto& listener : listeners) {
                if (listener.ours) {
                    where.push_back(listener.family == AddressFamily::ipv6
                                        ? "[" + listener.address + "]:" + std::to_string(port)
                                        : listener.address + ":" + std::to_string(port));
                }
            }
        }
    }
    char took_text[32];
    std::snprintf(took_text, sizeof took_text, "%.1fms", took);
    m_reporter.event("ready", entry.spec->name, {{"ready_ms", took}, {"listening", where}, {"pid", entry.pgid}},
                     where.empty() ? "running (no ports declared) after " + std::string(took_text)
                                   : "ready in " + std::string(took_text) + ", listening on " + join(where, ", "));
    start_ready_services();
}

void Supervisor::Impl::on_startup_timeout(Service& entry) {
    if (entry.state != State::starting || m_stopping) {
        return;
    }
    const std::string& name = entry.spec->name;
    entry.probe->poll();
    std::vector<std::string> lines;
    for (const auto port : entry.probe->missing_ports()) {
        std::string line = "port " + std::to_string(port) + " is not listening";
        const auto found = entry.probe->listeners().find(port);
        if (found != entry.probe->listeners().end()) {
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
    m_reporter.error(name, "not ready after " + format_duration(entry.spec->startup_timeout) + " (startup_timeout): " +
                               join(lines, "; "));
    if (!entry.recent.empty()) {
        m_reporter.error(name, "last output lines:");
        for (const auto& line : entry.recent) {
            m_reporter.error(name, "  " + line);
        }
    }
    m_reporter.event("timeout", name, {{"missing_ports", entry.probe->missing_ports()}});
    shutdown(static_cast<int>(ExitCode::startup_timeout), name + " did not become ready");
}

void Supervisor::Impl::on_service_exit(Service& entry, int native_status) {
    entry.process_running = false;
    entry.poll_timer.cancel();
    entry.timeout_timer.cancel();
    const State previous = entry.state;
    entry.state = State::exited;
    const std::string& name = entry.spec->name;
    m_reporter.event("exited", name, {{"status", describe_exit(native_status)}, {"pid", entry.pgid}},
                     m_stopping ? describe_exit(native_status) : "",
                     0);
    if (m_stopping) {
        stop_what_can_stop();
        check_drained();
        return;
    }
    const bool one_shot_done = exited_successfully(native_status) && entry.spec->restart == RestartPolicy::no &&
                               entry.plan.ports.empty();
    if (one_shot_done) {
        m_reporter.info(name, "finished (" + describe_exit(native_status) + ")");
        if (previous == State::ready) {
            return;
        }
    }
    m_reporter.error(name, "pid " + std::to_string(entry.pgid) + " " + describe_exit(native_status) +
                               (previous == State::starting ? " before it was ready" : ""));
    shutdown(static_cast<int>(ExitCode::service_failed), name + " exited");
}

// ---------------------------------------------------------------- shutdown

void Supervisor::Impl::shutdown(int exit_code, const std::string& reason) {
    if (m_stopping) {
        return;
    }
    m_stopping = true;
    m_exit_code = exit_code;
    m_reporter.event("stopping", "", {{"reason", reason}, {"exit_code", exit_code}}, "stopping: " + reason);
    for (const auto& name : m_order) {
        Service& entry = service(name);
        entry.poll_timer.cancel();
        entry.timeout_timer.cancel();
        if (entry.state == State::building && entry.process_running) {
            ::kill(-entry.pgid, SIGTERM); // an unfinished build is not worth waiting for
        }
    }
    stop_what_can_stop();
    check_drained();
}

bool Supervisor::Impl::dependents_stopped(const Service& entry) const {
    for (const auto& [name, other] : m_services) {
        const auto& deps = other->spec->depends_on;
        if (std::find(deps.begin(), deps.end(), entry.spec->name) != deps.end() && other->process_running &&
            other->state != State::building) {
            return false;
        }
    }
    return true;
}

// Dependents stop before what they depend on: SIGTERM to a service's process group once every
// service that depends on it has exited; SIGKILL to the group after its stop_grace.
void Supervisor::Impl::stop_what_can_stop() {
    for (auto it = m_order.rbegin(); it != m_order.rend(); ++it) {
        Service& entry = service(*it);
        if (entry.term_sent || entry.state == State::building || !group_alive(entry.pgid) ||
            entry.state == State::pending || entry.state == State::built) {
            continue;
        }
        if (entry.process_running && !dependents_stopped(entry)) {
            continue;
        }
        entry.term_sent = true;
        entry.state = entry.process_running ? State::stopping : entry.state;
        m_reporter.debug(entry.spec->name, "SIGTERM to process group " + std::to_string(entry.pgid));
        ::kill(-entry.pgid, SIGTERM);
        ::kill(-entry.pgid, SIGCONT);
        entry.grace_timer.expires_after(entry.spec->stop_grace);
        entry.grace_timer.async_wait([this, &entry](const boost::system::error_code& ec) {
            if (!ec && group_alive(entry.pgid)) {
                m_reporter.warn(entry.spec->name, "still running " + format_duration(entry.spec->stop_grace) +
                                                      " after SIGTERM (stop_grace): sending SIGKILL");
                ::kill(-entry.pgid, SIGKILL);
            }
        });
    }
}

// Done when every main process has been waited for and every process group is empty.
// Grandchildren that outlive their parent are not waited on by anything else, so while
// stopping the groups are checked every 20 ms (bounded by the grace timers).
void Supervisor::Impl::check_drained() {
    reap_orphans(owned_pids());
    if (m_drained) {
        return;
    }
    bool drained = true;
    for (const auto& name : m_order) {
        const Service& entry = service(name);
        drained = drained && !entry.process_running && !group_alive(entry.pgid);
    }
    if (drained && !m_drained) {
        m_drained = true;
        for (const auto& name : m_order) {
            service(name).grace_timer.cancel();
            if (service(name).pgid > 0) {
                m_guard->forget_group(service(name).pgid);
            }
        }
        m_signals.cancel();
        m_sigchld.cancel();
        m_drain_timer.cancel();
        const auto took = elapsed_ms(m_started);
        m_reporter.event("stopped", "", {{"exit_code", m_exit_code}, {"elapsed_ms", took}}, "all services stopped");
        if (m_open_readers > 0) {
            // Someone outside the groups (a setsid'd grandchild) still holds an output pipe:
            // read what is already there, then stop listening.
            m_drain_timer.expires_after(std::chrono::milliseconds(200));
            m_drain_timer.async_wait([this](const boost::system::error_code& ec) {
                if (!ec) {
                    for (const auto& name : m_order) {
                        for (const auto& reader : service(name).readers) {
                            reader->close();
                        }
                    }
                }
            });
        }
        return;
    }
    stop_what_can_stop();
    m_drain_timer.expires_after(std::chrono::milliseconds(20));
    m_drain_timer.async_wait([this](const boost::system::error_code& ec) {
        if (!ec) {
            check_drained();
        }
    });
}

void Supervisor::Impl::kill_everything() {
    for (const auto& name : m_order) {
        const Service& entry = service(name);
        if (group_alive(entry.pgid)) {
            ::kill(-entry.pgid, SIGKILL);
        }
    }
}

// ---------------------------------------------------------------- plumbing

void Supervisor::Impl::attach_output(Service& entry, const std::string& label) {
    entry.readers.clear();
    for (auto* pipe : {&entry.process->out, &entry.process->err}) {
        const std::string stream = pipe == &entry.process->out ? "stdout" : "stderr";
        ++m_open_readers;
        auto reader = std::make_shared<LineReader>(
            std::move(*pipe),
            [this, &entry, label, stream](const std::string& line) {
                entry.recent.push_back(line);
                if (entry.recent.size() > k_recent_lines) {
                    entry.recent.pop_front();
                }
                m_reporter.service_line(label, stream, line);
            },
            [this] { --m_open_readers; });
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
            m_reporter.warn("", std::string("second ") + (signo == SIGINT ? "Ctrl-C" : "SIGTERM") +
                                    ": killing every service now");
            kill_everything();
        } else {
            shutdown(128 + signo, signo == SIGINT ? "interrupted (Ctrl-C)" : "received SIGTERM");
        }
        watch_signals();
    });
}

void Supervisor::Impl::watch_sigchld() {
    m_sigchld.async_wait([this](const boost::system::error_code& ec, int) {
        if (ec || m_drained) {
            return; // a completion queued before cancel() must not re-arm the wait
        }
        reap_orphans(owned_pids());
        watch_sigchld();
    });
}

std::vector<pid_t> Supervisor::Impl::owned_pids() const {
    std::vector<pid_t> pids;
    for (const auto& [name, entry] : m_services) {
        if (entry->process_running) {
            pids.push_back(entry->pgid);
        }
    }
    if (m_guard) {
        pids.push_back(m_guard->pid());
    }
    return pids;
}

} // namespace golaunch
