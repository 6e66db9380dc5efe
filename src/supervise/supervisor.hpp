// `golaunch run`'s engine: builds, starts in dependency order, waits for readiness, streams
// logs, and stops everything cleanly. One Asio event loop; signal handlers only record.
#pragma once

#include "manifest/manifest.hpp"
#include "monitor/bind_monitor.hpp"
#include "preflight/endpoint.hpp"
#include "supervise/reporter.hpp"

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

struct RunOptions {
    std::vector<std::string> selected; // services named on the command line ("" = all)
    std::chrono::milliseconds poll_interval{5};
    bool skip_build = false;      // use the binaries already in .golaunch/bin
    bool stop_when_ready = false; // smoke test: once all are ready, stop cleanly, exit 0
    MonitorKind monitor = MonitorKind::automatic; // how bind()/listen() are seen
    bool watch = false; // every go service: rebuild and restart on a change (run --watch)
    // run --dashboard[=PORT]: the control API and a page on 127.0.0.1 (0: a free port).
    std::optional<std::uint16_t> dashboard_port;
};

class Supervisor {
  public:
    // `endpoints`: the preflight's, for the selected services (numbers and bind addresses as
    // this run uses them); `ports` the same numbers by service and name, for interpolation.
    Supervisor(const Manifest& manifest, PortAssignments ports,
               std::vector<DeclaredEndpoint> endpoints, RunOptions options, Reporter& reporter);
    ~Supervisor();
    Supervisor(const Supervisor&) = delete;
    Supervisor& operator=(const Supervisor&) = delete;

    // Runs until every service has stopped; returns the exit code (0, 1, 4, 130, 143).
    int run();

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace golaunch
