// Internal to the supervisor: the state its source files share.
// supervisor.cpp (run, plumbing, containment and the orphan guard), supervisor_start.cpp
// (build, start, readiness, startup timeouts), supervisor_monitor.cpp (the bind monitor),
// supervisor_restart.cpp (exits, daemonized services, restart policy), supervisor_stop.cpp
// (shutdown).
#pragma once

#include "manifest/manifest.hpp"
#include "monitor/bind_monitor.hpp"
#include "supervise/containment.hpp"
#include "supervise/launch_plan.hpp"
#include "supervise/line_reader.hpp"
#include "supervise/listen_tracker.hpp"
#include "supervise/orphan_guard.hpp"
#include "supervise/process_tree.hpp"
#include "supervise/readable_watch.hpp"
#include "supervise/readiness.hpp"
#include "supervise/reporter.hpp"
#include "supervise/restart_policy.hpp"
#include "supervise/stop_signals.hpp"
#include "supervise/supervisor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace golaunch {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

// built: waiting for its dependencies; backoff: waiting to be restarted; stopping: asked to stop
// (shutdown or startup timeout); exited: finished for good (clean exit, or stopped at
// shutdown); failed: will not run again (gave up, failed with restart = "no", or its
// dependency did).
enum class State { pending, building, built, starting, ready, stopping, backoff, exited, failed };

inline constexpr std::size_t k_recent_lines = 20;

inline long long elapsed_ms(Clock::time_point since) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - since).count();
}

inline double elapsed_ms_precise(Clock::time_point since) {
    return std::chrono::duration<double, std::milli>(Clock::now() - since).count();
}

struct Supervisor::Impl {
    struct Service {
        explicit Service(asio::io_context& io)
            : poll_timer(io), timeout_timer(io), grace_timer(io), restart_timer(io) {}
        const ServiceSpec* spec = nullptr;
        ServicePlan plan;
        State state = State::pending;
        std::unique_ptr<LaunchedProcess> process; // the service, or its `go build` while building
        bool process_running = false;
        ProcessTree tree; // its process group / Job Object (empty: none yet, or gone)
        std::vector<std::shared_ptr<LineReader>> readers;
        asio::steady_timer poll_timer;
        asio::steady_timer timeout_timer;
        asio::steady_timer grace_timer;
        asio::steady_timer restart_timer;
        std::unique_ptr<ReadinessProbe> probe;        // socket-table view (polled without monitor)
        std::unique_ptr<MonitorSession> session;      // bind monitor of the current run
        std::unique_ptr<MonitorSession> next_session; // prepared for the launch in progress
        std::unique_ptr<ListenTracker> tracker;       // readiness from the monitor's events
        Clock::time_point ready_listen;               // the listen() that made it ready
        int bind_calls = 0;                           // seen by the monitor in this run
        std::string last_bind_failure;
        std::unique_ptr<RestartTracker> restarts;
        int generation = 0;     // bumped at each start: stale timer handlers compare it
        bool timed_out = false; // this run was stopped by golaunch after startup_timeout
        bool ever_ready = false;
        Clock::time_point started;
        std::deque<std::string> recent;
        bool term_sent = false;
        const ServiceCgroup* cgroup = nullptr; // its cgroup for the whole run, or none
        // Its main process exited 0 while its cgroup still ran: the cgroup is the service now
        // (systemd's Type=forking), until it empties.
        bool daemonized = false;
    };

    Impl(const Manifest& manifest, PortAssignments ports, RunOptions options, Reporter& reporter)
        : m_manifest(manifest), m_ports(std::move(ports)), m_options(std::move(options)),
          m_reporter(reporter), m_signals(m_io), m_sigchld(m_io), m_drain_timer(m_io) {
        add_stop_signals(m_signals);
        add_child_exit_signal(m_sigchld);
    }

    int run();

    // phases
    void plan_all();
    void check_build_outputs();
    void build_next();
    void on_build_exit(Service& service, int native_status);
    void start_ready_services();
    bool dependencies_ready(const Service& service) const;
    bool dependency_satisfied(const Service& dependency) const;
    void start_service(Service& service);
    void poll_readiness(Service& service);
    void on_ready(Service& service);

    // bind monitor (supervisor_monitor.cpp)
    void choose_monitor();
    void prepare_monitoring(Service& service);
    bool attach_monitoring(Service& service);
    void on_bind_event(Service& service, int generation, const BindEvent& event);
    void check_host_families(const Service& service);
    nlohmann::json readiness_fields(const Service& service) const;
    void on_startup_timeout(Service& service);
    void on_service_exit(Service& service, int native_status);
    void on_daemonized(Service& service);

    // restart policy (supervisor_restart.cpp)
    void after_exit(Service& service, ExitKind kind, const std::string& reason);
    void schedule_restart(Service& service, const RestartDecision& decision,
                          const std::string& reason);
    void restart_when_group_gone(Service& service, int tries);
    void fail_for_good(Service& service, ExitKind kind);
    void abandon_dependents(const Service& service);
    void tell_waiting_dependents(const Service& service, const std::string& why);
    void finish_if_nothing_left();
    void stop_group(Service& service);
    void send_stop_request(Service& service, const ProcessTree& tree);
    std::vector<std::string> diagnose_timeout(Service& service);
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
    // Its main process runs, or (daemonized) its cgroup does.
    bool running(const Service& service) const;

    // plumbing
    void attach_output(Service& service, const std::string& label);
    void watch_signals();
    void watch_sigchld();
    std::vector<int> owned_pids() const;
    Service& service(const std::string& name) { return *m_services.at(name); }

    const Manifest& m_manifest;
    PortAssignments m_ports;
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
};

} // namespace golaunch
