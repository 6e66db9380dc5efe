#include "supervise/control_server.hpp"

#include "supervise/control_socket.hpp"
#include "supervise/dashboard_page.hpp"
#include "util/error.hpp"
#include "util/time_text.hpp"

#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdio>
#include <deque>
#include <random>
#include <set>

namespace golaunch {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Local = asio::local::stream_protocol;
// A session's socket, accepted from the control socket (AF_UNIX) or the dashboard's (TCP).
using Stream = asio::generic::stream_protocol;

namespace {

constexpr std::size_t k_max_connections = 64;
constexpr std::size_t k_max_queued = 4U << 20U;
constexpr std::size_t k_max_request = 64U << 10U;
constexpr auto k_request_time = std::chrono::seconds(5);
// Events kept for `GET /events?history=1` (the dashboard's timeline): at most this many, and
// this many bytes (a service in a bind loop must not grow golaunch without bound).
constexpr std::size_t k_max_history = 20000;
constexpr std::size_t k_max_history_bytes = 4U << 20U;
constexpr const char* k_cookie = "golaunch_token";

// 32 hex digits from the system's random source.
std::string random_token() {
    std::random_device random;
    std::string token;
    for (int i = 0; i < 4; ++i) {
        char part[9];
        std::snprintf(part, sizeof part, "%08x", static_cast<unsigned>(random()));
        token += part;
    }
    return token;
}

// The value of cookie `name` in a Cookie header ("" when absent).
std::string cookie_value(std::string_view header, std::string_view name) {
    while (!header.empty()) {
        const auto semicolon = header.find(';');
        auto pair = header.substr(0, semicolon);
        while (!pair.empty() && pair.front() == ' ') {
            pair.remove_prefix(1);
        }
        if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
            pair[name.size()] == '=') {
            return std::string(pair.substr(name.size() + 1));
        }
        header =
            semicolon == std::string_view::npos ? std::string_view() : header.substr(semicolon + 1);
    }
    return "";
}

std::string dump(const nlohmann::json& value) {
    return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// "a%20b" -> "a b"; '+' is a space in a query.
std::string url_decode(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const std::string hex(text.substr(i + 1, 2));
            char* end = nullptr;
            const long value = std::strtol(hex.c_str(), &end, 16);
            if (end == hex.c_str() + 2) {
                out.push_back(static_cast<char>(value));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i] == '+' ? ' ' : text[i]);
    }
    return out;
}

struct Target {
    std::vector<std::string> segments;
    std::vector<std::pair<std::string, std::string>> query;

    std::vector<std::string> all(const std::string& key) const {
        std::vector<std::string> values;
        for (const auto& [k, v] : query) {
            if (k == key) {
                values.push_back(v);
            }
        }
        return values;
    }
    std::string one(const std::string& key, const std::string& fallback = "") const {
        const auto values = all(key);
        return values.empty() ? fallback : values.back();
    }
    bool flag(const std::string& key) const {
        const std::string value = one(key, "0");
        return value == "1" || value == "true" || value == "yes";
    }
};

Target parse_target(std::string_view target) {
    Target parsed;
    const auto question = target.find('?');
    const std::string_view path = target.substr(0, question);
    std::size_t start = 0;
    while (start <= path.size()) {
        const auto slash = path.find('/', start);
        const auto piece =
            path.substr(start, slash == std::string_view::npos ? path.npos : slash - start);
        if (!piece.empty()) {
            parsed.segments.push_back(url_decode(piece));
        }
        if (slash == std::string_view::npos) {
            break;
        }
        start = slash + 1;
    }
    if (question != std::string_view::npos) {
        std::string_view query = target.substr(question + 1);
        while (!query.empty()) {
            const auto amp = query.find('&');
            const auto pair = query.substr(0, amp);
            const auto equals = pair.find('=');
            parsed.query.emplace_back(
                url_decode(pair.substr(0, equals)),
                equals == std::string_view::npos ? "1" : url_decode(pair.substr(equals + 1)));
            query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
        }
    }
    return parsed;
}

} // namespace

std::string log_entry_json(const LogEntry& entry) {
    return dump({{"time", iso8601_utc(entry.time, true)},
                 {"service", entry.service},
                 {"stream", entry.stream},
                 {"line", entry.line}}) +
           "\n";
}

struct ControlServer::Impl : std::enable_shared_from_this<ControlServer::Impl> {
    class Session;

    Impl(asio::io_context& io, ControlHandler& control, const LogRing& ring)
        : acceptor(io), handler(control), logs(ring) {}

    // Accepts on `on` until the server closes; `web`: the dashboard's TCP door.
    template <typename Acceptor> void accept(Acceptor& on, bool web);
    void forget(const Session* session);
    void add(Stream::socket socket, bool web);

    Local::acceptor acceptor;
    asio::ip::tcp::acceptor web_acceptor{acceptor.get_executor()};
    std::string token; // the dashboard's; "" while there is none
    std::uint16_t web_port = 0;
    std::deque<std::string> history; // the events published, the newest k_max_history
    std::size_t history_bytes = 0;

    std::filesystem::path path; // the socket's, once it listens
    ControlHandler& handler;
    const LogRing& logs;
    std::vector<std::shared_ptr<Session>> sessions;
    bool closed = false;
};

class ControlServer::Impl::Session : public std::enable_shared_from_this<Session> {
  public:
    enum class Follow { none, logs, events };

    Session(std::weak_ptr<Impl> server, Stream::socket socket, bool web)
        : m_server(std::move(server)), m_socket(std::move(socket)),
          m_timer(m_socket.get_executor()), m_web(web) {}

    void start() {
        m_parser.header_limit(8192);
        m_parser.body_limit(k_max_request);
        m_timer.expires_after(k_request_time);
        m_timer.async_wait([weak = weak_from_this()](const boost::system::error_code& ec) {
            if (auto self = weak.lock(); self && !ec && !self->m_answered) {
                self->close(); // no complete request in time
            }
        });
        http::async_read(
            m_socket, m_buffer, m_parser,
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                if (ec) {
                    self->close();
                    return;
                }
                self->m_answered = true;
                self->m_timer.cancel();
                try {
                    self->answer(self->m_parser.get());
                } catch (const std::exception& e) {
                    // Never out of the event loop: this request fails, the run goes on.
                    self->respond(500, {{"error", e.what()}});
                }
            });
    }

    // Queues `text` for a follower that wants `what` (services "" = all).
    void offer(Follow what, const std::string& service, const std::string& text) {
        if (m_follow != what || m_closed) {
            return;
        }
        if (what == Follow::logs && !m_services.empty() &&
            std::find(m_services.begin(), m_services.end(), service) == m_services.end()) {
            return;
        }
        emit(text);
    }

    Follow follow() const { return m_follow; }

    void close() {
        if (m_closed) {
            return;
        }
        m_closed = true;
        m_timer.cancel();
        boost::system::error_code ignored;
        m_socket.shutdown(Stream::socket::shutdown_both, ignored);
        m_socket.close(ignored);
        if (auto server = m_server.lock()) {
            server->forget(this);
        }
    }

  private:
    void answer(const http::request<http::string_body>& request) {
        auto server = m_server.lock();
        if (!server) {
            close();
            return;
        }
        const Target target = parse_target(request.target());
        const auto& seg = target.segments;
        const bool get = request.method() == http::verb::get;
        const bool post = request.method() == http::verb::post;
        if (m_web && !admitted(*server, request, target)) {
            return;
        }
        m_sse = m_web && target.flag("sse");
        if (m_web && get && seg.empty()) {
            respond_page(*server, !target.one("token").empty());
            return;
        }
        if (get && seg == std::vector<std::string>{"services"}) {
            respond(200, server->handler.services());
            return;
        }
        if (post && seg.size() == 3 && seg[0] == "services" &&
            (seg[2] == "restart" || seg[2] == "stop" || seg[2] == "start")) {
            const auto reply =
                server->handler.command(seg[2], seg[1], target.flag("with_dependents"));
            respond(reply.status, reply.body);
            return;
        }
        if (get && seg == std::vector<std::string>{"logs"}) {
            m_services = target.all("service");
            for (const auto& name : m_services) {
                if (!server->handler.has_service(name)) {
                    respond(404, {{"error", "no service " + name + " in this run"}});
                    return;
                }
            }
            std::size_t n = 100;
            try {
                n = static_cast<std::size_t>(std::stoul(target.one("n", "100")));
            } catch (const std::exception&) {
                respond(400, {{"error", "n must be a number of lines"}});
                return;
            }
            stream_header();
            for (const auto& entry : server->logs.last(m_services, n)) {
                emit(log_entry_json(entry));
            }
            if (target.flag("follow")) {
                m_follow = Follow::logs;
                watch_for_hangup();
            } else {
                m_close_when_written = true;
                close_if_done();
            }
            return;
        }
        if (get && seg == std::vector<std::string>{"events"}) {
            stream_header();
            if (target.flag("history")) {
                for (const auto& event : server->history) {
                    emit(event);
                }
            }
            m_follow = Follow::events;
            watch_for_hangup();
            return;
        }
        const bool known = seg == std::vector<std::string>{"services"} ||
                           seg == std::vector<std::string>{"logs"} ||
                           seg == std::vector<std::string>{"events"} ||
                           (seg.size() == 3 && seg[0] == "services");
        respond(known ? 405 : 404,
                {{"error", std::string(known ? "method not allowed on " : "no such path: ") +
                               std::string(request.target())}});
    }

    void respond(unsigned status, const nlohmann::json& body) {
        auto response = std::make_shared<http::response<http::string_body>>(
            static_cast<http::status>(status), 11);
        response->set(http::field::content_type, "application/json");
        response->set(http::field::connection, "close");
        response->body() = dump(body) + "\n";
        response->prepare_payload();
        http::async_write(m_socket, *response,
                          [self = shared_from_this(), response](const boost::system::error_code&,
                                                                std::size_t) { self->close(); });
    }

    // The body of a stream ends when the connection closes (HTTP/1.1 without a length).
    void stream_header() {
        queue(std::string("HTTP/1.1 200 OK\r\nContent-Type: ") +
              (m_sse ? "text/event-stream" : "application/x-ndjson") +
              "\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n");
    }

    // One NDJSON line of a stream; for an EventSource, the same JSON as one SSE message.
    void emit(const std::string& line) {
        if (!m_sse) {
            queue(line);
            return;
        }
        const auto end = line.find_last_not_of('\n');
        queue("data: " + line.substr(0, end == std::string::npos ? 0 : end + 1) + "\n\n");
    }

    // The dashboard's door (TCP on loopback): the Host header must name it (a page of another
    // site that resolves its own name to 127.0.0.1, DNS rebinding, is refused), the token must
    // come in the query or the cookie, and a POST must come from the dashboard's own origin.
    bool admitted(const Impl& server, const http::request<http::string_body>& request,
                  const Target& target) {
        const std::string port = std::to_string(server.web_port);
        const std::string host(request[http::field::host]);
        if (host != "127.0.0.1:" + port && host != "localhost:" + port) {
            respond(403, {{"error", "forbidden: the Host header must be 127.0.0.1:" + port}});
            return false;
        }
        const bool token = target.one("token") == server.token ||
                           cookie_value(request[http::field::cookie], k_cookie) == server.token;
        if (server.token.empty() || !token) {
            respond(403, {{"error", "forbidden: open the URL golaunch printed (it has the "
                                    "token)"}});
            return false;
        }
        if (request.method() != http::verb::get) {
            const std::string origin(request[http::field::origin]);
            if (origin != "http://127.0.0.1:" + port && origin != "http://localhost:" + port) {
                respond(403, {{"error", "forbidden: a POST must come from the dashboard"}});
                return false;
            }
        }
        return true;
    }

    void respond_page(const Impl& server, bool set_cookie) {
        auto response = std::make_shared<http::response<http::string_body>>(http::status::ok, 11);
        response->set(http::field::content_type, "text/html; charset=utf-8");
        response->set(http::field::cache_control, "no-store");
        response->set(http::field::connection, "close");
        response->set("Content-Security-Policy",
                      "default-src 'self'; style-src 'unsafe-inline'; script-src "
                      "'unsafe-inline'; frame-ancestors 'none'");
        response->set("X-Frame-Options", "DENY");
        response->set("Referrer-Policy", "no-referrer");
        if (set_cookie) {
            response->set(http::field::set_cookie, std::string(k_cookie) + "=" + server.token +
                                                       "; Path=/; HttpOnly; SameSite=Strict");
        }
        response->body() = std::string(dashboard_page());
        response->prepare_payload();
        http::async_write(m_socket, *response,
                          [self = shared_from_this(), response](const boost::system::error_code&,
                                                                std::size_t) { self->close(); });
    }

    void queue(const std::string& text) {
        if (m_queued + text.size() > k_max_queued) {
            close(); // it does not read: not worth holding the loop's memory for
            return;
        }
        m_queued += text.size();
        m_pending.push_back(text);
        write_next();
    }

    void write_next() {
        if (m_writing || m_pending.empty() || m_closed) {
            return;
        }
        m_writing = true;
        asio::async_write(
            m_socket, asio::buffer(m_pending.front()),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                self->m_writing = false;
                if (ec) {
                    self->close();
                    return;
                }
                self->m_queued -= self->m_pending.front().size();
                self->m_pending.pop_front();
                self->write_next();
                self->close_if_done();
            });
    }

    void close_if_done() {
        if (m_close_when_written && m_pending.empty() && !m_writing) {
            close();
        }
    }

    // A follower sends nothing more: end of file (or an error) means it went away.
    void watch_for_hangup() {
        m_socket.async_read_some(
            asio::buffer(m_hangup),
            [self = shared_from_this()](const boost::system::error_code& ec, std::size_t) {
                if (ec) {
                    self->close();
                } else {
                    self->watch_for_hangup();
                }
            });
    }

    std::weak_ptr<Impl> m_server;
    Stream::socket m_socket;
    asio::steady_timer m_timer;
    boost::beast::flat_buffer m_buffer;
    http::request_parser<http::string_body> m_parser;
    std::deque<std::string> m_pending;
    std::size_t m_queued = 0;
    bool m_writing = false;
    bool m_answered = false;
    bool m_closed = false;
    bool m_close_when_written = false;
    Follow m_follow = Follow::none;
    std::vector<std::string> m_services;
    char m_hangup[64]{};
    bool m_web = false; // from the dashboard's TCP socket
    bool m_sse = false; // streams as text/event-stream
};

void ControlServer::Impl::add(Stream::socket socket, bool web) {
    if (sessions.size() >= k_max_connections) {
        boost::system::error_code ignored;
        socket.close(ignored);
        return;
    }
    auto session = std::make_shared<Session>(weak_from_this(), std::move(socket), web);
    sessions.push_back(session);
    session->start();
}

// `on` is a member of the Impl: used only once `weak` has been locked.
template <typename Acceptor> void ControlServer::Impl::accept(Acceptor& on, bool web) {
    on.async_accept(
        [weak = weak_from_this(), &on, web](const boost::system::error_code& ec,
                                            typename Acceptor::protocol_type::socket socket) {
            auto self = weak.lock();
            if (!self || self->closed || ec == asio::error::operation_aborted) {
                return;
            }
            if (!ec) {
                self->add(Stream::socket(std::move(socket)), web);
            }
            self->accept(on, web);
        });
}

void ControlServer::Impl::forget(const Session* session) {
    std::erase_if(sessions, [&](const std::shared_ptr<Session>& s) { return s.get() == session; });
}

ControlServer::ControlServer(asio::io_context& io, ControlHandler& handler, const LogRing& logs)
    : m_impl(std::make_shared<Impl>(io, handler, logs)) {}

void ControlServer::open_socket(const std::filesystem::path& path) {
    std::error_code error;
    const auto status = std::filesystem::symlink_status(path, error);
    if (!error && status.type() != std::filesystem::file_type::not_found) {
        if (status.type() != std::filesystem::file_type::socket &&
            status.type() != std::filesystem::file_type::unknown) {
            throw Error(path.string() + " exists and is not a socket", ExitCode::service_failed,
                        "remove it; golaunch puts its control socket there");
        }
        std::filesystem::remove(path, error); // a dead run's socket
    }
    boost::system::error_code ec;
    m_impl->acceptor.open(Local(), ec);
    if (!ec) {
        bind_owner_only(m_impl->acceptor, path, ec);
    }
    if (!ec) {
        m_impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        boost::system::error_code ignored;
        m_impl->acceptor.close(ignored);
        throw Error("cannot listen on " + path.string() + ": " + ec.message());
    }
    m_impl->path = path;
    m_impl->accept(m_impl->acceptor, false);
}

ControlServer::~ControlServer() {
    close();
}

void ControlServer::close() {
    if (m_impl->closed) {
        return;
    }
    m_impl->closed = true;
    boost::system::error_code ignored;
    m_impl->acceptor.close(ignored);
    m_impl->web_acceptor.close(ignored);
    const auto sessions = m_impl->sessions; // close() forgets each
    for (const auto& session : sessions) {
        session->close();
    }
    if (!m_impl->path.empty()) {
        std::error_code error;
        std::filesystem::remove(m_impl->path, error);
    }
}

void ControlServer::publish_line(const LogEntry& entry) {
    if (m_impl->sessions.empty()) {
        return;
    }
    std::string text;
    const auto sessions = m_impl->sessions;
    for (const auto& session : sessions) {
        if (session->follow() == Impl::Session::Follow::logs) {
            if (text.empty()) {
                text = log_entry_json(entry);
            }
            session->offer(Impl::Session::Follow::logs, entry.service, text);
        }
    }
}

void ControlServer::publish_event(const nlohmann::json& event) {
    std::string text = dump(event) + "\n";
    auto& history = m_impl->history;
    history.push_back(text);
    m_impl->history_bytes += text.size();
    while (history.size() > k_max_history ||
           (m_impl->history_bytes > k_max_history_bytes && history.size() > 1)) {
        m_impl->history_bytes -= history.front().size();
        history.pop_front();
    }
    if (m_impl->sessions.empty()) {
        return;
    }
    const auto sessions = m_impl->sessions;
    for (const auto& session : sessions) {
        session->offer(Impl::Session::Follow::events, "", text);
    }
}

bool ControlServer::has_followers() const {
    return std::any_of(m_impl->sessions.begin(), m_impl->sessions.end(),
                       [](const auto& s) { return s->follow() != Impl::Session::Follow::none; });
}

const std::filesystem::path& ControlServer::path() const {
    return m_impl->path;
}

std::string ControlServer::open_dashboard(std::uint16_t port) {
    namespace ip = asio::ip;
    const ip::tcp::endpoint endpoint(ip::make_address_v4("127.0.0.1"), port);
    boost::system::error_code ec;
    m_impl->web_acceptor.open(endpoint.protocol(), ec);
    if (!ec) {
        m_impl->web_acceptor.bind(endpoint, ec);
    }
    if (!ec) {
        m_impl->web_acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        boost::system::error_code ignored;
        m_impl->web_acceptor.close(ignored);
        throw Error("cannot serve the dashboard on 127.0.0.1:" + std::to_string(port) + ": " +
                    ec.message());
    }
    m_impl->web_port = m_impl->web_acceptor.local_endpoint().port();
    m_impl->token = random_token();
    m_impl->accept(m_impl->web_acceptor, true);
    return "http://127.0.0.1:" + std::to_string(m_impl->web_port) + "/?token=" + m_impl->token;
}

} // namespace golaunch
