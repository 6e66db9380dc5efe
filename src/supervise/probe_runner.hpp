// A service's readiness probe, tried until it passes: an HTTP GET (Boost.Beast) whose status and
// body must be accepted, or a command that must exit 0. Attempts follow each other with a short
// capped backoff (10 ms doubling to 500 ms), each bounded by its own timeout. What the attempts
// got is counted for the startup-timeout report ("GET /health: 503 x12, last body: ...").
// The supervisor starts it the instant the service's ports listen, and drops it once it passed,
// the service exited, or the run stops.
#pragma once

#include "supervise/launcher.hpp"
#include "util/regex.hpp"

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

class ProbeRunner {
  public:
    using Clock = std::chrono::steady_clock;
    using OnPass = std::function<void()>;

    static constexpr std::chrono::milliseconds k_first_retry{10};
    static constexpr std::chrono::milliseconds k_max_retry{500};

    using OnCheck = std::function<void(bool passed, const std::string& what)>;

    virtual ~ProbeRunner() = default;
    // Tries until it passes, then calls on_pass (readiness).
    virtual void start() = 0;
    // One attempt, whose outcome goes to `done` ("200", "503: body: ...", "exit 0"), with no
    // retry (health checks after ready). Not while start()'s attempts run.
    virtual void check_once(OnCheck done) = 0;
    // What the attempts got so far, in one line.
    virtual std::string summary() const = 0;

    // Retry n (0-based) waits min(k_max_retry, k_first_retry * 2^n).
    static std::chrono::milliseconds retry_delay(int n);
};

// GET `url` ("http://host:port/path"); passes on a status in `statuses` (empty: any 2xx) whose
// body matches `body` (when given).
std::unique_ptr<ProbeRunner> http_probe(boost::asio::io_context& io, const std::string& url,
                                        std::vector<int> statuses, std::optional<Pattern> body,
                                        std::chrono::milliseconds timeout,
                                        ProbeRunner::OnPass on_pass);

// Runs `command` (the service's environment and directory) until it exits 0.
std::unique_ptr<ProbeRunner> exec_probe(boost::asio::io_context& io, LaunchSpec command,
                                        std::chrono::milliseconds timeout,
                                        ProbeRunner::OnPass on_pass);

struct HttpTarget {
    std::string host;   // "127.0.0.1", "::1" (no brackets), "localhost"
    std::string port;   // "8080"; "80" when the URL has none
    std::string target; // "/health?x=1"; "/" when the URL has none
};
// Splits an http:// URL; nullopt when it is not one.
std::optional<HttpTarget> parse_http_url(const std::string& url);

} // namespace golaunch
