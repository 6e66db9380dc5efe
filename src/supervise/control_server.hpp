// The control socket of a running golaunch (`golaunch ps|stop|restart|start|logs`):
// .golaunch/control.sock, AF_UNIX, owner-only (0600 in the 0700 .golaunch directory), HTTP/1.1
// and JSON through Boost.Beast, served from the supervisor's own event loop (the handler needs
// no lock). `curl --unix-socket .golaunch/control.sock http://golaunch/services` works.
//   GET  /services                          every service: state, pid, ports, ready time, ...
//   POST /services/NAME/restart|stop|start  [?with_dependents=1]
//   GET  /logs?service=A&service=B&n=N[&follow=1]
//                                           NDJSON lines from each service's ring (log_ring.hpp);
//                                           with follow, then every new line until the client
//                                           goes or the run ends
//   GET  /events[?history=1]                NDJSON, every event of `run --json` from now on
//                                           (with history, first those since the start)
// The dashboard (`run --dashboard`) serves the same API over TCP on 127.0.0.1, behind a token,
// a Host check and an Origin check on POST, plus:
//   GET  /?token=T                          the page (dashboard_page.hpp); sets the token cookie
//   ...?sse=1                               a stream as text/event-stream, for EventSource
// One request per connection (Connection: close). A request must arrive within 5 s and fit in
// 64 KiB; at most 64 connections at once. A follower that does not read gets 4 MiB queued,
// then is disconnected.
#pragma once

#include "supervise/log_ring.hpp"

#include <boost/asio/io_context.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace golaunch {

struct ControlReply {
    unsigned status = 200; // HTTP status: 200, 404 (no such service), 409 (stopping)
    nlohmann::json body;
};

class ControlHandler {
  public:
    virtual ~ControlHandler() = default;
    virtual nlohmann::json services() = 0;
    // `verb` is "restart", "stop" or "start".
    virtual ControlReply command(const std::string& verb, const std::string& service,
                                 bool with_dependents) = 0;
    virtual bool has_service(const std::string& name) const = 0;
};

class ControlServer {
  public:
    // Serves nothing until a door opens: the socket (open_socket) or the dashboard
    // (open_dashboard). Either can fail alone: Wine, and Windows before 10 1803, have no
    // AF_UNIX, and the dashboard's TCP door still serves there.
    ControlServer(boost::asio::io_context& io, ControlHandler& handler, const LogRing& logs);
    ~ControlServer(); // close()
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // A service line or a `run --json` event, to the followers that asked for it.
    void publish_line(const LogEntry& entry);
    void publish_event(const nlohmann::json& event);
    bool has_followers() const;

    // Stops accepting, ends every connection, removes the socket file. Idempotent.
    void close();

    // Listens on `path`, whose directory must be golaunch's private one. A socket file left
    // there by an earlier run (whose instance lock is free, so it is dead) is replaced; any
    // other kind of file there is refused (golaunch::Error), as is a failed listen.
    void open_socket(const std::filesystem::path& path);

    // The socket's path; empty while it is not open.
    const std::filesystem::path& path() const;

    // Also serves the dashboard on 127.0.0.1:`port` (0: a free port); returns its URL with the
    // token. Throws golaunch::Error when it cannot listen.
    std::string open_dashboard(std::uint16_t port);

  private:
    struct Impl;
    std::shared_ptr<Impl> m_impl;
};

// One line of `GET /logs` (NDJSON): {"time", "service", "stream", "line"}.
std::string log_entry_json(const LogEntry& entry);

} // namespace golaunch
