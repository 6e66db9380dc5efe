// Internal to the supervisor: the state its three source files share.
// supervisor.cpp (run, plumbing), supervisor_start.cpp (build, start, readiness),
// supervisor_stop.cpp (exits and shutdown).
#pragma once

#include "manifest/manifest.hpp"
#include "supervise/launch_plan.hpp"
#include "supervise/line_reader.hpp"
#include "supervise/orphan_guard.hpp"
#include "supervise/readiness.hpp"
#include "supervise/reporter.hpp"
#include "supervise/supervisor.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <signal.h>

#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace golaunch {

namespace asio = boost::asio;
using Clock = std::chrono::steady_clock;

enum class State { pending, building, built, starting, ready, stopping, exited };

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
            : poll_timer(io), timeout_timer(io), grace_timer(io) {}
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
          m_reporter(reporter), m_signals(m_io, SIGINT, SIGTERM, SIGHUP), m_sigchld(m_io, SIGCHLD),
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

} // namespace golaunch
