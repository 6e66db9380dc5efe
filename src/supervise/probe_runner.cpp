#include "supervise/probe_runner.hpp"

#include "supervise/exit_status.hpp"
#include "supervise/line_reader.hpp"
#include "util/error.hpp"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <map>
#include <utility>

namespace golaunch {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t k_body_limit = 64 * 1024;
constexpr std::size_t k_body_shown = 120;

std::string one_line(std::string text) {
    std::replace_if(
        text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
    if (text.size() > k_body_shown) {
        text = text.substr(0, k_body_shown) + "...";
    }
    return text;
}

// Attempts and their outcomes, and what follows one, shared by both kinds: a pass goes to on_pass
// (or to a one-off check); a failure goes to the one-off check, or is tried again after the
// capped backoff.
class Attempts {
  public:
    Attempts(asio::io_context& io, ProbeRunner::OnPass on_pass)
        : m_retry(io), m_on_pass(std::move(on_pass)) {}

    void check_once(ProbeRunner::OnCheck done) { m_once = std::move(done); }

    void passed(const std::string& outcome) {
        record(outcome);
        if (m_once) {
            std::exchange(m_once, nullptr)(true, m_last);
            return;
        }
        m_on_pass();
    }

    // `label` names the probe in a one-off check's answer; `again` runs the next attempt (it
    // must not outlive the probe: hand it a weak reference).
    void failed(const std::string& outcome, const std::string& detail, const std::string& label,
                std::function<void()> again) {
        record(outcome, detail);
        if (m_once) {
            std::exchange(m_once, nullptr)(false, label + ": " + m_last);
            return;
        }
        m_retry.expires_after(ProbeRunner::retry_delay(m_failures++));
        m_retry.async_wait([again = std::move(again)](const boost::system::error_code& ec) {
            if (!ec) {
                again();
            }
        });
    }

    std::string summary(const std::string& what) const {
        if (m_count == 0) {
            return what + ": not tried yet";
        }
        std::string text = what + ":";
        bool first = true;
        for (const auto& [outcome, times] : m_outcomes) {
            text += std::string(first ? " " : ", ") + outcome + " x" + std::to_string(times);
            first = false;
        }
        return text + "; last: " + m_last;
    }

  private:
    void record(const std::string& outcome, const std::string& detail = "") {
        ++m_count;
        ++m_outcomes[outcome];
        m_last = detail.empty() ? outcome : outcome + ": " + detail;
    }

    asio::steady_timer m_retry;
    ProbeRunner::OnPass m_on_pass;
    ProbeRunner::OnCheck m_once;
    int m_count = 0;
    int m_failures = 0;
    std::map<std::string, int> m_outcomes;
    std::string m_last;
};

class HttpProbe final : public ProbeRunner, public std::enable_shared_from_this<HttpProbe> {
  public:
    HttpProbe(asio::io_context& io, HttpTarget target, std::vector<int> statuses,
              std::optional<Pattern> body, std::chrono::milliseconds timeout, OnPass on_pass)
        : m_io(io), m_target(std::move(target)), m_statuses(std::move(statuses)),
          m_body(std::move(body)), m_timeout(timeout), m_resolver(io),
          m_attempts(io, std::move(on_pass)) {}

    void start() override { attempt(); }
    void check_once(OnCheck done) override {
        m_attempts.check_once(std::move(done));
        attempt();
    }
    std::string summary() const override { return m_attempts.summary("GET " + m_target.target); }

  private:
    struct Exchange {
        explicit Exchange(asio::io_context& io) : stream(io) {}
        beast::tcp_stream stream;
        beast::flat_buffer buffer;
        http::request<http::empty_body> request;
        http::response_parser<http::string_body> parser;
    };

    // Handlers hold a weak reference: the probe may be dropped (ready, exited) mid-attempt.
    std::weak_ptr<HttpProbe> weak() { return std::weak_ptr<HttpProbe>(shared_from_this()); }

    void attempt() {
        auto exchange = std::make_shared<Exchange>(m_io);
        exchange->parser.body_limit(k_body_limit);
        exchange->request = {http::verb::get, m_target.target, 11};
        exchange->request.set(http::field::host, m_target.host.find(':') != std::string::npos
                                                     ? "[" + m_target.host + "]:" + m_target.port
                                                     : m_target.host + ":" + m_target.port);
        exchange->request.set(http::field::user_agent, "golaunch-ready");
        exchange->request.set(http::field::connection, "close");
        exchange->stream.expires_after(m_timeout);
        m_resolver.async_resolve(
            m_target.host, m_target.port,
            [self = weak(), exchange](beast::error_code ec, tcp::resolver::results_type results) {
                auto probe = self.lock();
                if (!probe) {
                    return;
                }
                if (ec) {
                    probe->failed("cannot resolve", ec.message());
                    return;
                }
                exchange->stream.async_connect(
                    results, [self, exchange](beast::error_code ec, const tcp::endpoint&) {
                        if (auto probe = self.lock()) {
                            probe->on_connect(ec, exchange);
                        }
                    });
            });
    }

    void on_connect(beast::error_code ec, const std::shared_ptr<Exchange>& exchange) {
        if (ec) {
            failed(ec == beast::error::timeout ? "no answer" : "cannot connect", ec.message());
            return;
        }
        http::async_write(exchange->stream, exchange->request,
                          [self = weak(), exchange](beast::error_code ec, std::size_t) {
                              auto probe = self.lock();
                              if (!probe) {
                                  return;
                              }
                              if (ec) {
                                  probe->failed("no answer", ec.message());
                                  return;
                              }
                              http::async_read(exchange->stream, exchange->buffer, exchange->parser,
                                               [self, exchange](beast::error_code ec, std::size_t) {
                                                   if (auto probe = self.lock()) {
                                                       probe->on_response(ec, exchange);
                                                   }
                                               });
                          });
    }

    void on_response(beast::error_code ec, const std::shared_ptr<Exchange>& exchange) {
        if (ec) {
            failed(ec == beast::error::timeout ? "no answer" : "no answer", ec.message());
            return;
        }
        const auto& response = exchange->parser.get();
        const int status = static_cast<int>(response.result_int());
        const bool status_ok = m_statuses.empty() ? status >= 200 && status < 300
                                                  : std::find(m_statuses.begin(), m_statuses.end(),
                                                              status) != m_statuses.end();
        if (!status_ok) {
            failed(std::to_string(status), "body: " + one_line(response.body()));
            return;
        }
        if (m_body && !m_body->search(response.body())) {
            failed(std::to_string(status) + " without the expected body",
                   "body: " + one_line(response.body()));
            return;
        }
        beast::error_code ignored;
        exchange->stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
        m_attempts.passed(std::to_string(status));
    }

    void failed(const std::string& outcome, const std::string& detail) {
        m_attempts.failed(outcome, detail, "GET " + m_target.target, [self = weak()] {
            if (auto probe = self.lock()) {
                probe->attempt();
            }
        });
    }

    asio::io_context& m_io;
    HttpTarget m_target;
    std::vector<int> m_statuses;
    std::optional<Pattern> m_body;
    std::chrono::milliseconds m_timeout;
    tcp::resolver m_resolver;
    Attempts m_attempts;
};

class ExecProbe final : public ProbeRunner, public std::enable_shared_from_this<ExecProbe> {
  public:
    ExecProbe(asio::io_context& io, LaunchSpec command, std::chrono::milliseconds timeout,
              OnPass on_pass)
        : m_io(io), m_command(std::move(command)), m_timeout(timeout), m_timer(io),
          m_attempts(io, std::move(on_pass)) {}

    ~ExecProbe() override {
        if (m_process && m_running) {
            m_process->tree.kill();
        }
    }

    void start() override { attempt(); }
    void check_once(OnCheck done) override {
        m_attempts.check_once(std::move(done));
        attempt();
    }
    std::string summary() const override {
        return m_attempts.summary(m_command.executable.filename().string());
    }

  private:
    std::weak_ptr<ExecProbe> weak() { return std::weak_ptr<ExecProbe>(shared_from_this()); }

    void attempt() {
        try {
            m_process = launch_process(m_io, m_command);
        } catch (const Error& error) {
            failed("cannot run", error.what());
            return;
        }
        m_running = true;
        m_last_line.clear();
        for (auto* pipe : {&m_process->out, &m_process->err}) {
            auto reader = std::make_shared<LineReader>(
                std::move(*pipe),
                [self = weak()](const std::string& line) {
                    if (auto probe = self.lock()) {
                        probe->m_last_line = line;
                    }
                },
                [] {});
            reader->start();
            m_readers.push_back(reader);
        }
        m_timer.expires_after(m_timeout);
        m_timer.async_wait([self = weak()](const boost::system::error_code& ec) {
            auto probe = self.lock();
            if (!ec && probe && probe->m_running) {
                probe->m_timed_out = true;
                probe->m_process->tree.kill();
            }
        });
        m_process->process.async_wait([self = weak()](boost::system::error_code, int) {
            if (auto probe = self.lock()) {
                probe->on_exit();
            }
        });
    }

    void on_exit() {
        m_running = false;
        m_timer.cancel();
        const int status = m_process->process.native_exit_code();
        // Released after this handler returned, with the readers of earlier attempts.
        asio::post(m_io, [process = std::shared_ptr<LaunchedProcess>(std::move(m_process)),
                          readers = std::move(m_readers)] {});
        m_readers.clear();
        if (m_timed_out) {
            m_timed_out = false;
            failed("timed out", "after " + std::to_string(m_timeout.count()) + "ms");
            return;
        }
        if (exited_successfully(status)) {
            m_attempts.passed("exit 0");
            return;
        }
        failed(describe_exit(status), m_last_line);
    }

    void failed(const std::string& outcome, const std::string& detail) {
        m_attempts.failed(outcome, detail, m_command.executable.filename().string(),
                          [self = weak()] {
                              if (auto probe = self.lock()) {
                                  probe->attempt();
                              }
                          });
    }

    asio::io_context& m_io;
    LaunchSpec m_command;
    std::chrono::milliseconds m_timeout;
    asio::steady_timer m_timer;
    std::unique_ptr<LaunchedProcess> m_process;
    std::vector<std::shared_ptr<LineReader>> m_readers;
    std::string m_last_line;
    bool m_running = false;
    bool m_timed_out = false;
    Attempts m_attempts;
};

// The runner handed out owns the shared probe: dropping it ends the probe (handlers see the
// weak reference expire; a running exec attempt is killed).
class OwnedProbe final : public ProbeRunner {
  public:
    explicit OwnedProbe(std::shared_ptr<ProbeRunner> probe) : m_probe(std::move(probe)) {}
    void start() override { m_probe->start(); }
    void check_once(OnCheck done) override { m_probe->check_once(std::move(done)); }
    std::string summary() const override { return m_probe->summary(); }

  private:
    std::shared_ptr<ProbeRunner> m_probe;
};

} // namespace

std::chrono::milliseconds ProbeRunner::retry_delay(int n) {
    auto delay = k_first_retry;
    for (int i = 0; i < n && delay < k_max_retry; ++i) {
        delay *= 2;
    }
    return std::min(delay, k_max_retry);
}

std::optional<HttpTarget> parse_http_url(const std::string& url) {
    const std::string scheme = "http://";
    if (url.rfind(scheme, 0) != 0) {
        return std::nullopt;
    }
    const std::string rest = url.substr(scheme.size());
    const auto slash = rest.find_first_of("/?");
    const std::string authority = rest.substr(0, slash);
    HttpTarget target;
    target.target = slash == std::string::npos ? "/" : rest.substr(slash);
    if (target.target.front() == '?') {
        target.target = "/" + target.target;
    }
    target.port = "80";
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string::npos) {
            return std::nullopt;
        }
        target.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size()) {
            if (authority[close + 1] != ':') {
                return std::nullopt;
            }
            target.port = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.rfind(':');
        target.host = authority.substr(0, colon);
        if (colon != std::string::npos) {
            target.port = authority.substr(colon + 1);
        }
    }
    if (target.host.empty() || target.port.empty() ||
        target.port.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
    }
    return target;
}

std::unique_ptr<ProbeRunner> http_probe(asio::io_context& io, const std::string& url,
                                        std::vector<int> statuses, std::optional<Pattern> body,
                                        std::chrono::milliseconds timeout,
                                        ProbeRunner::OnPass on_pass) {
    auto target = parse_http_url(url);
    if (!target) {
        throw Error("not an http:// URL: '" + url + "'");
    }
    return std::make_unique<OwnedProbe>(std::make_shared<HttpProbe>(
        io, std::move(*target), std::move(statuses), std::move(body), timeout, std::move(on_pass)));
}

std::unique_ptr<ProbeRunner> exec_probe(asio::io_context& io, LaunchSpec command,
                                        std::chrono::milliseconds timeout,
                                        ProbeRunner::OnPass on_pass) {
    return std::make_unique<OwnedProbe>(
        std::make_shared<ExecProbe>(io, std::move(command), timeout, std::move(on_pass)));
}

} // namespace golaunch
