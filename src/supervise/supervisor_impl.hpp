// Internal to the supervisor: the state its source files share. Each service's states and
// transitions are a ServiceMachine (service_machine.hpp, pure); these files feed it events and
// carry out the actions it returns (perform, in supervisor_actions.cpp). What spans services
// stays here: one build at a time, dependency order, the order of a stop, the end of the run.
// supervisor.cpp (run, plumbing, containment and the orphan guard), supervisor_start.cpp
// (builds, starts, readiness), supervisor_monitor.cpp (the bind monitor), supervisor_exit.cpp
// (exits, daemonized services, restarts, dependents), supervisor_stop.cpp (shutdown),
// supervisor_actions.cpp (the actions), supervisor_control.cpp (what `golaunch ps|stop|restart|
// start|logs` ask through the control socket).
#pragma once

#include "manifest/manifest.hpp"
#include "monitor/bind_monitor.hpp"
#include "supervise/containment.hpp"
#include "supervise/control_server.hpp"
#include "supervise/file_watch.hpp"
#include "supervise/launch_plan.hpp"
#include "supervise/line_reader.hpp"
#include "supervise/log_ring.hpp"
#include "supervise/notify_socket.hpp"
#include "supervise/orphan_guard.hpp"
#include "supervise/probe_runner.hpp"
#include "supervise/process_tree.hpp"
#include "supervise/readable_watch.hpp"
#include "supervise/reporter.hpp"
#include "supervise/restart_policy.hpp"
#include "supervise/service_machine.hpp"
#include "supervise/service_readiness.hpp"
#include "supervise/stop_signals.hpp"
#include "supervise/supervisor.hpp"
#include "supervise/watch_set.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

inline constexpr std::size_t k_recent_lines = 20;

inline long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

inline double elapsed_ms_precise(Clock::time_point since) {
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

struct Supervisor::Impl : ControlHandler {
    using State = ServiceState;

    struct Service {
        Service(asio::io_context& io, const ServiceSpec& service_spec, ServicePlan service_plan);
        const ServiceSpec* spec = nullptr;
        ServicePlan plan;
        ServiceMachine machine;
        State state() const { return machine.state(); }
        std::unique_ptr<LaunchedProcess> process; // the service, or its `go build` while building
        bool process_running = false;
        ProcessTree tree; // its process group / Job Object (empty: none yet, or gone)
        std::vector<std::shared_ptr<LineReader>> readers;
        asio::steady_timer poll_timer;
        asio::steady_timer timeout_timer;
        asio::steady_timer grace_timer;
        asio::steady_timer restart_timer;
        std::unique_ptr<ServiceReadiness> readiness;  // this launch's engine (monitor or table)
        std::unique_ptr<MonitorSession> session;      // bind monitor of the current run
        std::unique_ptr<MonitorSession> next_session; // prepared for the launch in progress
        Clock::time_point ready_listen;               // the listen() that made it ready
        int bind_calls = 0;                           // seen by the monitor in this run
        std::string last_bind_failure;
        int generation = 0; // bumped at each start: stale timer handlers compare it
        Clock::time_point started;
        std::optional<std::chrono::system_clock::time_point> ready_at; // this attempt's
        std::deque<std::string> recent;
        const ServiceCgroup* cgroup = nullptr; // its cgroup for the whole run, or none
        bool awaiting_tree_gone = false;       // in backoff, its old tree has not emptied yet
        // ready = { http | exec | log }: tried from the instant its ports listen.
        std::unique_ptr<ProbeRunner> probe;
        std::optional<Pattern> log_pattern; // ready = { log = "..." }
        bool log_seen = false;              // a line of this attempt matched it
        bool probing = false;               // its probe runs (ports listening)
        Clock::time_point ports_listening;  // when its probe started
        // health = {...}: checked every interval while ready.
        std::unique_ptr<asio::steady_timer> health_timer;
        std::unique_ptr<ProbeRunner> health;
        int health_failures = 0;
        // ready = "notify" (sd_notify): its NOTIFY_SOCKET, READY=1 seen in this attempt, and the
        // watchdog it asked for (WATCHDOG_USEC; 0 = none).
        std::unique_ptr<NotifySocket> notify;
        bool notify_ready = false;
        std::chrono::microseconds watchdog{0};
        std::unique_ptr<asio::steady_timer> watchdog_timer;
        // watch (supervisor_watch.cpp): what it looks at, the debounce after a change, its
        // rebuild (`go build -o bin/NAME.next`, while the old instance serves), and the swap.
        std::unique_ptr<WatchSet> watch;
        std::unique_ptr<asio::steady_timer> watch_timer;
        std::filesystem::path watch_changed;      // the first change of this round
        std::unique_ptr<LaunchedProcess> rebuild; // running
        bool rebuild_again = false;               // changed again while it ran
        bool rebuild_queued = false;              // waits for a free core
        bool swap_pending = false; // bin/NAME.next goes in place at the next launch (Windows:
                                   // a running .exe cannot be replaced)
        Clock::time_point rebuild_started;
        long long rebuild_ms = 0;
        std::optional<Clock::time_point> swap_started; // old instance asked to stop
    };

    Impl(const Manifest& manifest, PortAssignments ports, std::vector<DeclaredEndpoint> endpoints,
         RunOptions options, Reporter& reporter)
        : m_manifest(manifest), m_ports(std::move(ports)), m_endpoints(std::move(endpoints)),
          m_options(std::move(options)), m_reporter(reporter), m_signals(m_io), m_sigchld(m_io),
          m_drain_timer(m_io) {
        add_stop_signals(m_signals);
        add_child_exit_signal(m_sigchld);
    }

    int run();

    // the state machine: feed it an event, carry out what it returns (supervisor_actions.cpp)
    template <typename Event> void feed(Service& service, const Event& event) {
        perform(service, service.machine.on(event));
    }
    void perform(Service& service, const Actions& actions);
    void perform(Service& service, const Action& action);

    // phases
    void plan_all();
    void check_build_outputs();
    void build_next();
    void start_build(Service& service);
    void on_build_exit(Service& service, int native_status);
    void start_ready_services();
    bool dependencies_ready(const Service& service) const;
    void launch(Service& service);
    void watch_readiness(Service& service);
    void stop_watching(Service& service);
    void poll_readiness(Service& service);
    void report_ready(Service& service);
    void start_probe(Service& service);
    void schedule_health(Service& service);
    void check_health(Service& service);
    void report_unhealthy(Service& service, const Action& action);
    void post_probe_passed(Service& service);
    void report_built(Service& service);

    // bind monitor (supervisor_monitor.cpp)
    void choose_monitor();
    void prepare_monitoring(Service& service);
    bool attach_monitoring(Service& service);
    void on_bind_event(Service& service, int generation, const BindEvent& event);
    void check_host_families(const Service& service);
    nlohmann::json readiness_fields(const Service& service) const;
    void report_timeout(Service& service);
    std::vector<std::string> diagnose_timeout(Service& service);

    // exits, restarts and dependents (supervisor_exit.cpp)
    void on_service_exit(Service& service, int native_status);
    void report_exit(Service& service, const Action& action);
    void report_daemonized(Service& service);
    void report_restarting(Service& service, const Action& action);
    void arm_backoff(Service& service, const Action& action);
    void await_tree_gone(Service& service, int tries);
    void tree_gone(Service& service);
    void start_again(Service& service);
    void give_up(Service& service, const Action& action);
    void finished(Service& service, const Action& action);
    void forget_dead_tree(Service& service);
    void abandon_dependents(const Service& service);
    void tell_waiting_dependents(const Service& service, const std::string& why);
    void finish_if_nothing_left();
    void stop_tree(Service& service);
    void send_stop_request(Service& service, const ProcessTree& tree);
    // shutdown
    void shutdown(int exit_code, const std::string& reason);
    void stop_what_can_stop();
    bool dependents_stopped(const Service& service) const;
    void check_drained();
    void finish_run();
    void kill_everything();

    // containment and the orphan guard (supervisor.cpp)
    void setup_containment();
    void on_trees_changed();
    void on_tree_emptied(Service& service);
    void start_guard();
    void on_guard_died();
    void adopt_orphans();
    void open_notify_socket(Service& service);
    bool in_service(const Service& service, int pid) const;
    void on_notify(Service& service, int pid, const std::map<std::string, std::string>& fields);
    void arm_watchdog(Service& service);
    // Its main process runs, or (daemonized) its cgroup does.
    bool running(const Service& service) const;

    // the control socket (supervisor_control.cpp)
    void open_control();
    nlohmann::json services() override;
    ControlReply command(const std::string& verb, const std::string& name,
                         bool with_dependents) override;
    bool has_service(const std::string& name) const override;
    std::vector<std::string> dependents_of(const std::string& name) const;
    std::vector<std::string> dependencies_of(const std::string& name) const;
    void report_stopped(Service& service);

    // watch: rebuild and restart on a change (supervisor_watch.cpp)
    void setup_watch();
    void refresh_watch_set(Service& service);
    void on_file_changed(const std::filesystem::path& path);
    void rebuild(Service& service);
    void on_rebuild_exit(Service& service, int native_status);
    void report_rebuilt(Service& service);
    void put_new_binary_in_place(Service& service);

    // plumbing
    void attach_output(Service& service, const std::string& label, LaunchedProcess& process);
    void watch_signals();
    void watch_sigchld();
    std::vector<int> owned_pids() const;
    Service& service(const std::string& name) { return *m_services.at(name); }

    const Manifest& m_manifest;
    PortAssignments m_ports;
    std::vector<DeclaredEndpoint> m_endpoints;
    RunOptions m_options;
    Reporter& m_reporter;
    asio::io_context m_io;
    asio::signal_set m_signals;
    asio::signal_set m_sigchld;
    asio::steady_timer m_drain_timer;
    // Declared before m_services: every ProcessTree points into it.
    RunContainment m_containment;
    std::unique_ptr<CgroupWatcher> m_cgroup_watcher; // null: trees are process groups / jobs
    std::map<int, std::string> m_watched;            // cgroup watch id -> service
    std::unique_ptr<ReadableWatch> m_tree_watch;     // the watcher's fd in the loop
    std::chrono::milliseconds m_longest_grace{0};
    std::unique_ptr<OrphanGuard> m_guard;
    std::unique_ptr<ReadableWatch> m_guard_watch; // its pidfd: the guard died
    std::unique_ptr<BindMonitor> m_monitor;       // null: readiness polls the socket table
    MonitorKind m_monitor_kind = MonitorKind::poll;
    std::vector<std::string> m_order;
    std::map<std::string, std::unique_ptr<Service>> m_services;
    Clock::time_point m_started = Clock::now();
    bool m_stopping = false;
    bool m_all_ready_reported = false;
    bool m_built_any = false; // a `go build` ran in this run
    bool m_drained = false;
    bool m_finished = false; // "stopped" said; the loop is ending
    int m_open_readers = 0;  // pipes still open; the loop ends when they and the processes are done
    int m_exit_code = 0;
    int m_failure_code = 0; // 1 or 4 once a service failed for good (see finish_if_nothing_left)
    LogRing m_logs;         // the last lines of each service, for `golaunch logs`
    std::unique_ptr<ControlServer> m_control; // null: no control socket (said once)
    std::unique_ptr<FileWatch> m_file_watch;  // null: no service is watched
    int m_rebuilds_running = 0;               // at most one per core at once
};

} // namespace golaunch
