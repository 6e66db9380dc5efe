#include "supervise/control_server.hpp"

#include "supervise/control_socket.hpp"
#include "util/error.hpp"
#include "util/time_text.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <deque>
#include <set>

namespace golaunch {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Local = asio::local::stream_protocol;

namespace {

constexpr std::size_t k_max_connections = 64;
constexpr std::size_t k_max_queued = 4U << 20U;
constexpr std::size_t k_max_request = 64U << 10U;
constexpr auto k_request_time = std::chrono::seconds(5);

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

    Impl(asio::io_context& io, std::filesystem::path socket_path, ControlHandler& control,
         const LogRing& ring)
        : acceptor(io), path(std::move(socket_path)), handler(control), logs(ring) {}

    void accept();
    void forget(const Session* session);

    Local::acceptor acceptor;
    std::filesystem::path path;
    ControlHandler& handler;
    const LogRing& logs;
    std::vector<std::shared_ptr<Session>> sessions;
    bool closed = false;
};

class ControlServer::Impl::Session : public std::enable_shared_from_this<Session> {
  public:
    enum class Follow { none, logs, events };

    Session(std::weak_ptr<Impl> server, Local::socket socket)
        : m_server(std::move(server)), m_socket(std::move(socket)),
          m_timer(m_socket.get_executor()) {}

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
        queue(text);
    }

    Follow follow() const { return m_follow; }

    void close() {
        if (m_closed) {
            return;
        }
        m_closed = true;
        m_timer.cancel();
        boost::system::error_code ignored;
        m_socket.shutdown(Local::socket::shutdown_both, ignored);
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
                queue(log_entry_json(entry));
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
        queue("HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\n"
              "Cache-Control: no-cache\r\nConnection: close\r\n\r\n");
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
    Local::socket m_socket;
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
};

void ControlServer::Impl::accept() {
    acceptor.async_accept(
        [weak = weak_from_this()](const boost::system::error_code& ec, Local::socket socket) {
            auto self = weak.lock();
            if (!self || self->closed || ec == asio::error::operation_aborted) {
                return;
            }
            if (!ec) {
                if (self->sessions.size() >= k_max_connections) {
                    boost::system::error_code ignored;
                    socket.close(ignored);
                } else {
                    auto session = std::make_shared<Session>(self, std::move(socket));
                    self->sessions.push_back(session);
                    session->start();
                }
            }
            self->accept();
        });
}

void ControlServer::Impl::forget(const Session* session) {
    std::erase_if(sessions, [&](const std::shared_ptr<Session>& s) { return s.get() == session; });
}

ControlServer::ControlServer(asio::io_context& io, std::filesystem::path path,
                             ControlHandler& handler, const LogRing& logs)
    : m_impl(std::make_shared<Impl>(io, std::move(path), handler, logs)) {
    std::error_code error;
    const auto status = std::filesystem::symlink_status(m_impl->path, error);
    if (!error && status.type() != std::filesystem::file_type::not_found) {
        if (status.type() != std::filesystem::file_type::socket &&
            status.type() != std::filesystem::file_type::unknown) {
            throw Error(m_impl->path.string() + " exists and is not a socket",
                        ExitCode::service_failed,
                        "remove it; golaunch puts its control socket there");
        }
        std::filesystem::remove(m_impl->path, error); // a dead run's socket
    }
    boost::system::error_code ec;
    m_impl->acceptor.open(Local(), ec);
    if (!ec) {
        bind_owner_only(m_impl->acceptor, m_impl->path, ec);
    }
    if (!ec) {
        m_impl->acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw Error("cannot listen on " + m_impl->path.string() + ": " + ec.message());
    }
    m_impl->accept();
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
    const auto sessions = m_impl->sessions; // close() forgets each
    for (const auto& session : sessions) {
        session->close();
    }
    std::error_code error;
    std::filesystem::remove(m_impl->path, error);
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
    if (m_impl->sessions.empty()) {
        return;
    }
    const std::string text = dump(event) + "\n";
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

} // namespace golaunch
