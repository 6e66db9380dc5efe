#include "cli/control_client.hpp"

#include "util/error.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <istream>

namespace golaunch {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using Local = asio::local::stream_protocol;

// One connection with its own io_context (the client is synchronous).
struct ControlConnection {
    asio::io_context io;
    Local::socket socket{io};
};

namespace {

std::unique_ptr<ControlConnection> connect_to(const std::filesystem::path& socket,
                                              const std::filesystem::path& root) {
    auto connection = std::make_unique<ControlConnection>();
    boost::system::error_code ec;
    connection->socket.connect(Local::endpoint(socket.string()), ec);
    if (!ec) {
        return connection;
    }
    if (ec == asio::error::address_family_not_supported) {
        throw Error("cannot reach " + socket.string() + ": this system has no AF_UNIX sockets (" +
                        ec.message() + ")",
                    ExitCode::service_failed,
                    "Windows has them from Windows 10 1803 on (Wine has none)");
    }
    if (ec == asio::error::access_denied || ec == asio::error::no_permission) {
        throw Error("cannot reach " + socket.string() + ": " + ec.message(),
                    ExitCode::service_failed,
                    "the control socket is open to the user who runs that golaunch only: run this "
                    "command as that user");
    }
    throw Error("no golaunch run is active in " + root.string() + " (nothing listens on " +
                    socket.string() + ": " + ec.message() + ")",
                ExitCode::service_failed, "start one with `golaunch run`");
}

std::string request_text(const std::string& method, const std::string& target) {
    return method + " " + target +
           " HTTP/1.1\r\nHost: golaunch\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";
}

} // namespace

std::string url_encode(const std::string& text) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : text) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4U]);
            out.push_back(hex[c & 15U]);
        }
    }
    return out;
}

struct ControlStream::Impl {
    std::unique_ptr<ControlConnection> connection;
    asio::streambuf buffer;
    unsigned status = 0;
};

ControlStream::ControlStream(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
ControlStream::~ControlStream() = default;
ControlStream::ControlStream(ControlStream&&) noexcept = default;
ControlStream& ControlStream::operator=(ControlStream&&) noexcept = default;

unsigned ControlStream::status() const {
    return m_impl->status;
}

bool ControlStream::read_line(std::string& line) {
    boost::system::error_code ec;
    const std::size_t n = asio::read_until(m_impl->connection->socket, m_impl->buffer, '\n', ec);
    if (ec && n == 0) {
        return false;
    }
    std::istream in(&m_impl->buffer);
    std::getline(in, line);
    return true;
}

std::string ControlStream::rest() {
    std::string text;
    std::string line;
    while (read_line(line)) {
        text += line + "\n";
    }
    return text;
}

ControlClient::ControlClient(std::filesystem::path root_dir)
    : m_root(std::move(root_dir)), m_socket(m_root / ".golaunch" / "control.sock") {}

ControlResponse ControlClient::request(const std::string& method, const std::string& target) const {
    auto connection = connect_to(m_socket, m_root);
    boost::system::error_code ec;
    asio::write(connection->socket, asio::buffer(request_text(method, target)), ec);
    boost::beast::flat_buffer buffer;
    http::response<http::string_body> response;
    if (!ec) {
        http::read(connection->socket, buffer, response, ec);
    }
    if (ec) {
        throw Error("the golaunch run listening on " + m_socket.string() +
                    " did not answer: " + ec.message());
    }
    return {response.result_int(), response.body()};
}

ControlStream ControlClient::stream(const std::string& target) const {
    auto impl = std::make_unique<ControlStream::Impl>();
    impl->connection = connect_to(m_socket, m_root);
    boost::system::error_code ec;
    asio::write(impl->connection->socket, asio::buffer(request_text("GET", target)), ec);
    std::size_t header = 0;
    if (!ec) {
        header = asio::read_until(impl->connection->socket, impl->buffer, "\r\n\r\n", ec);
    }
    if (ec) {
        throw Error("the golaunch run listening on " + m_socket.string() +
                    " did not answer: " + ec.message());
    }
    std::string head(asio::buffers_begin(impl->buffer.data()),
                     asio::buffers_begin(impl->buffer.data()) +
                         static_cast<std::ptrdiff_t>(header));
    impl->buffer.consume(header);
    // "HTTP/1.1 200 OK"
    const auto space = head.find(' ');
    impl->status = space == std::string::npos
                       ? 0
                       : static_cast<unsigned>(std::strtoul(head.c_str() + space + 1, nullptr, 10));
    return ControlStream(std::move(impl));
}

} // namespace golaunch
