// One service's life as a pure state machine: fed events (its build ended, it may start, it
// listens, its main process exited, its cgroup emptied, a timer fired, the run stops), it returns
// the actions the supervisor carries out (build, launch, watch readiness, stop or kill its tree,
// arm a timer, report). No I/O, no clock of its own: the restart policy (restart_policy.hpp)
// gets an injected clock, and every fact about the outside world (did it exit 0, does its tree
// still run) arrives in the event. What spans services (dependency order, the order of a stop,
// when the whole run is over) stays in the supervisor, which reads state() and ever_ready().
//
// States (README "Restart policy", "Daemonized services"):
//   pending   not built yet            building  its `go build` runs
//   built     waiting for dependencies starting  launched, its ports not all listening yet
//   ready     serving                  stopping  asked to stop (startup timeout, or the run stops)
//   backoff   waiting to restart       exited    finished for good (clean, or stopped at shutdown)
//   failed    will not run again (gave up, restart = "no" after a failure, a dependency failed)
//             unless started on request
//   stopped   stopped on request (golaunch stop): not running, not settled; started on request
//
// Transitions (event: from -> to, actions). "stop" below is the run stopping (StopRun seen).
//   Begin{build}           pending -> building                  build
//   Begin{!build}          pending -> built
//   BuildExited{ok}        building -> built                    report_built
//   BuildExited{!ok}       building -> exited                   report_build_failed, fail_run(1)
//   BuildExited (stop)     building -> exited                   stopped
//   StartAllowed           built -> starting                    launch
//   LaunchFailed           starting -> exited                   report_launch_failed, fail_run(1)
//   Launched (ports)       starting                             watch_readiness
//   Launched (no ports, a probe)  starting                      watch_readiness, start_probe
//   Launched (ready = "exit")     starting                      watch_readiness
//   Launched (no ports, no probe) starting -> ready             report_ready
//   PortsListening         starting, a probe                    start_probe
//   PortsListening         starting, no probe -> ready          stop_watching, report_ready
//   ProbePassed            starting -> ready                    stop_watching, report_ready
//   StartupTimeout         starting -> stopping                 report_timeout, stop_watching,
//                                                               stop_tree
//   MainExited{0, cgroup alive, ports, starting|ready, !timed out, !stop}
//                          (state kept; the cgroup is the service)  report_daemonized
//   MainExited{0} (ready = "exit", starting) -> exited, completed   stop_watching, report_exit,
//                                                               finished (or restarted by policy)
//   MainExited (stop)      any -> exited                        stop_watching, report_exit,
//                                                               stopped
//   MainExited (other)     -> see "After an exit"               stop_watching, report_exit,
//                                                               stop_tree if its tree still runs
//   TreeEmptied (daemonized, !stop)  -> see "After an exit"     stop_watching, report_exit
//   Unhealthy              ready -> stopping                    report_unhealthy, stop_tree; its
//                                                               exit is then a failure
//   BindRefused            starting (remembered until ready or the next start)
//   MainExited (failed before ready after BindRefused, !stop)
//                          -> failed                            stop_watching, report_exit,
//                                                               give_up (deterministic)
//   BackoffElapsed         backoff                              await_tree_gone
//   TreeGone               backoff -> built                     start_again
//   StopRun                any                                  stop_watching, cancel_backoff;
//                                                               kill_build while building
//   StopNow                starting|ready|stopping|backoff|exited|failed (tree alive)
//                                                               stop_tree (once); a running
//                                                               service -> stopping
//   GraceExpired{alive}    any                                  kill_tree
//   DependencyLost         pending|built -> failed              abandoned
// Asked for through the control socket (never while the run stops; never a failure, never
// counted in max_restarts):
//   StopRequested          starting|ready -> stopping           stop_watching, stop_tree; its
//                                                               exit (or, daemonized, its cgroup
//                                                               emptying) -> stopped:
//                                                               stop_watching, report_exit,
//                                                               stop_tree if its tree still runs,
//                                                               report_stopped
//   StopRequested          stopping (its exit is then a stop); backoff -> stopped
//                                                               cancel_backoff, report_stopped
//   RestartRequested       starting|ready -> stopping           stop_watching, stop_tree; its
//                                                               exit -> backoff: stop_watching,
//                                                               report_exit, stop_tree if alive,
//                                                               await_tree_gone (no delay)
//   RestartRequested       backoff                              cancel_backoff, await_tree_gone
//   RestartRequested, StartRequested
//                          exited|failed|stopped -> backoff     await_tree_gone (restart count
//                                                               reset); TreeGone as above
// After an exit (kind: clean, failed, or startup_timeout; restart_policy.hpp decides):
//   restart                -> backoff                           report_restarting, arm_backoff
//   give up                -> failed                            give_up
//   not restarted, clean   -> exited                            finished
//   not restarted, failure -> failed                            give_up (restart = "no")
// Events a state does not expect are ignored (no action): a late timer, a second exit report.
#pragma once

#include "manifest/manifest.hpp"
#include "supervise/restart_policy.hpp"

#include <string>
#include <vector>

namespace golaunch {

enum class ServiceState {
    pending,
    building,
    built,
    starting,
    ready,
    stopping,
    backoff,
    exited,
    failed,
    stopped
};

const char* to_string(ServiceState state);

enum class ActionKind {
    build,                // start its `go build`
    report_built,         // the build succeeded
    report_build_failed,  // the build failed (reason: the exit status)
    launch,               // start its process (then feed Launched or LaunchFailed)
    report_launch_failed, // it could not be started (reason: why)
    watch_readiness,      // arm the startup timer, start its readiness check
    start_probe,          // its ports listen: start its probe (http, exec, or the log line)
    stop_watching,        // cancel the readiness check and the startup timer
    report_ready,         // it is ready: dependents may start
    report_timeout,       // not ready within startup_timeout: say what it is doing
    report_daemonized,    // its main process exited 0 and left its cgroup running
    report_unhealthy,     // its health checks failed (reason: the evidence)
    report_exit,          // its main process (or daemonized cgroup) ended (reason, exit kind)
    stop_tree,            // stop request to its tree, kill after stop_grace
    kill_tree,            // kill its tree now
    kill_build,           // the run stops while it builds: end the build
    arm_backoff,          // wait decision.delay, then feed BackoffElapsed
    cancel_backoff,       // the run stops: no restart
    await_tree_gone,      // feed TreeGone once its old tree is empty (or survived its kill)
    start_again,          // built again: start it when its dependencies allow
    report_restarting,    // restarting (decision, reason)
    give_up,              // failed for good (exit_code, decision.attempt, reason)
    finished,             // exited for good, cleanly (reason)
    stopped,              // it ended while the run stops: stop what can stop now
    fail_run,             // stop the whole run (exit_code, reason)
    abandoned,            // will not start: a dependency stopped for good (reason: its name)
    report_stopped,       // stopped on request; it waits for a start
};

struct Action {
    ActionKind kind = ActionKind::build;
    std::string reason;
    std::string status; // report_exit: how it ended ("exited with status 1", "cgroup empty")
    ExitKind exit_kind = ExitKind::clean;
    RestartDecision decision;
    int exit_code = 0;
    bool deterministic = false; // give_up: not restarted, it would fail the same way
    bool requested = false;     // report_exit: the exit a stop or restart request asked for
};

using Actions = std::vector<Action>;

namespace service_event {
struct Begin {
    bool build = false; // it has a `go build` to run first
};
struct BuildExited {
    bool success = false;
    std::string status; // "exited with status 1"
};
struct StartAllowed {};
struct Launched {};
struct LaunchFailed {
    std::string error;
};
struct PortsListening {}; // every declared port listens (monitor event or socket table)
struct ProbePassed {};    // its readiness probe passed (http, exec, log line)
struct StartupTimeout {};
struct MainExited {
    bool success = false;
    std::string status;      // "exited with status 0", "killed by SIGTERM"
    bool tree_alive = false; // something of its tree still runs
    bool contained = false;  // its tree is a cgroup (membership survives setsid)
};
struct TreeEmptied {};
// Its health check after ready failed `failures` times in a row.
struct Unhealthy {
    std::string evidence; // "GET /health: 500: body: ... (3 checks in a row)"
};
// A bind() of one of its declared ports was refused for lack of permission (EACCES, EPERM,
// WSAEACCES): trying again changes nothing until someone changes a privilege or a policy.
struct BindRefused {
    std::string what; // "bind 127.0.0.1:80 failed: EACCES (Permission denied)"
};
struct BackoffElapsed {};
struct TreeGone {};
struct StopRun {};
struct StopNow {};
struct GraceExpired {
    bool tree_alive = false;
};
struct DependencyLost {
    std::string dependency;
};
// golaunch stop|restart|start SERVICE, through the control socket.
struct StopRequested {};
struct RestartRequested {};
struct StartRequested {};
} // namespace service_event

class ServiceMachine {
  public:
    struct Config {
        bool has_ports = false;
        bool has_probe = false;     // ready = { http | log | exec }: tried once ports listen
        bool ready_on_exit = false; // ready = "exit": complete when it exits 0
        RestartPolicy restart = RestartPolicy::on_failure;
        int max_restarts = 0;
        Backoff backoff;
        std::string startup_timeout; // "30s", for the reasons it gives
    };

    explicit ServiceMachine(Config config, RestartTracker::Now now = {},
                            RestartTracker::Random random = {});

    Actions on(const service_event::Begin& event);
    Actions on(const service_event::BuildExited& event);
    Actions on(const service_event::StartAllowed& event);
    Actions on(const service_event::Launched& event);
    Actions on(const service_event::LaunchFailed& event);
    Actions on(const service_event::PortsListening& event);
    Actions on(const service_event::ProbePassed& event);
    Actions on(const service_event::StartupTimeout& event);
    Actions on(const service_event::MainExited& event);
    Actions on(const service_event::TreeEmptied& event);
    Actions on(const service_event::Unhealthy& event);
    Actions on(const service_event::BindRefused& event);
    Actions on(const service_event::BackoffElapsed& event);
    Actions on(const service_event::TreeGone& event);
    Actions on(const service_event::StopRun& event);
    Actions on(const service_event::StopNow& event);
    Actions on(const service_event::GraceExpired& event);
    Actions on(const service_event::DependencyLost& event);
    Actions on(const service_event::StopRequested& event);
    Actions on(const service_event::RestartRequested& event);
    Actions on(const service_event::StartRequested& event);

    ServiceState state() const { return m_state; }
    bool ever_ready() const { return m_ever_ready; }
    bool daemonized() const { return m_daemonized; }
    bool timed_out() const { return m_timed_out; }
    bool stop_sent() const { return m_stop_sent; }
    const RestartTracker& restarts() const { return m_restarts; }
    // Whether a dependent waiting with `condition` may start: "started" once it was launched,
    // "ready" while ready (a one-shot without ports, or ready = "exit", once it finished
    // cleanly), "completed" once it exited 0.
    bool satisfies(DependencyCondition condition) const;
    bool completed() const { return m_completed; }
    // Exited or failed: it will not run again.
    bool settled() const;

  private:
    enum class Request { none, stop, restart };

    Actions after_exit(ExitKind kind, const std::string& reason, Actions actions);
    Actions after_requested_exit(const std::string& status, bool tree_alive);
    Actions requested(Request request);
    Actions become_ready(Actions actions);
    std::string timeout_reason() const;
    static int exit_code_of(ExitKind kind);

    Config m_config;
    RestartTracker m_restarts;
    ServiceState m_state = ServiceState::pending;
    bool m_ever_ready = false;
    bool m_launched = false;  // launched at least once
    bool m_completed = false; // exited 0 at least once
    bool m_daemonized = false;
    bool m_timed_out = false;
    bool m_stop_sent = false;
    bool m_run_stopping = false;
    std::string m_refused;             // a refused bind of this attempt, until it is ready
    std::string m_unhealthy;           // why it was stopped as unhealthy (this attempt)
    Request m_request = Request::none; // asked to stop or restart: its exit is that
};

} // namespace golaunch
