#include "supervise/notify_socket.hpp"

#include "util/error.hpp"

namespace golaunch {

struct NotifySocket::Impl {
    std::string address;
};

NotifySocket::NotifySocket(boost::asio::io_context&, const std::string&, OnMessage) {
    throw Error("ready = \"notify\" (sd_notify) needs Linux", ExitCode::usage,
                "on Windows use ready = { http = ... }, { log = ... } or { exec = [...] }");
}

NotifySocket::~NotifySocket() = default;

const std::string& NotifySocket::address() const {
    return m_impl->address;
}

} // namespace golaunch
