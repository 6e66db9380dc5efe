// ready = "notify": the sd_notify protocol. golaunch binds a datagram socket per service (Linux:
// AF_UNIX in the abstract namespace, "@golaunch-<pid>-<service>"), hands it to the service as
// NOTIFY_SOCKET, and reads the service's messages ("READY=1", "STATUS=...", "WATCHDOG=1",
// "WATCHDOG_USEC=..."). Each datagram carries the sender's credentials (SO_PASSCRED): one from a
// process outside the service is dropped, so no other local process can declare it ready.
// Windows has no sd_notify: creating one throws Error.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>

namespace golaunch {

class NotifySocket {
  public:
    // Fields of one datagram ("READY" -> "1"), and the pid that sent it.
    using OnMessage = std::function<void(int pid, const std::map<std::string, std::string>&)>;

    NotifySocket(boost::asio::io_context& io, const std::string& name, OnMessage on_message);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;

    // The value of NOTIFY_SOCKET for the service ("@golaunch-123-api").
    const std::string& address() const;

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// "READY=1\nSTATUS=up\n" -> {READY: 1, STATUS: up}; lines without '=' are skipped.
std::map<std::string, std::string> parse_notify_message(const std::string& datagram);

} // namespace golaunch
