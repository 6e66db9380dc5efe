#include "supervise/notify_socket.hpp"

#include "util/error.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace golaunch {

struct NotifySocket::Impl {
    Impl(boost::asio::io_context& io, int fd) : descriptor(io, fd) {}
    boost::asio::posix::stream_descriptor descriptor; // owns the socket
    std::string address;
    OnMessage on_message;
    std::array<char, 4096> buffer{};

    void wait() {
        descriptor.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                              [this](const boost::system::error_code& ec) {
                                  if (!ec) {
                                      drain();
                                      wait();
                                  }
                              });
    }

    // Every queued datagram, with its sender's credentials.
    void drain() {
        for (int i = 0; i < 64; ++i) {
            iovec vector{buffer.data(), buffer.size()};
            alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))];
            msghdr message{};
            message.msg_iov = &vector;
            message.msg_iovlen = 1;
            message.msg_control = control;
            message.msg_controllen = sizeof control;
            const ssize_t got = ::recvmsg(descriptor.native_handle(), &message, MSG_DONTWAIT);
            if (got < 0) {
                return; // EAGAIN: drained
            }
            int pid = 0;
            for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
                 header = CMSG_NXTHDR(&message, header)) {
                if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_CREDENTIALS) {
                    ucred credentials{};
                    std::memcpy(&credentials, CMSG_DATA(header), sizeof credentials);
                    pid = credentials.pid;
                }
            }
            on_message(pid, parse_notify_message(
                                std::string(buffer.data(), static_cast<std::size_t>(got))));
        }
    }
};

NotifySocket::NotifySocket(boost::asio::io_context& io, const std::string& name,
                           OnMessage on_message) {
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) {
        throw Error(std::string("cannot create the notify socket: ") + std::strerror(errno));
    }
    m_impl = std::make_unique<Impl>(io, fd);
    m_impl->on_message = std::move(on_message);
    const int on = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    // Abstract namespace: a leading NUL, no file to create, clean up or be raced on.
    const std::string abstract = name.substr(0, sizeof address.sun_path - 2);
    std::memcpy(address.sun_path + 1, abstract.data(), abstract.size());
    const auto length =
        static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + abstract.size());
    if (::bind(fd, reinterpret_cast<const sockaddr*>(&address), length) != 0) {
        throw Error("cannot bind the notify socket @" + abstract + ": " + std::strerror(errno));
    }
    m_impl->address = "@" + abstract;
    m_impl->wait();
}

NotifySocket::~NotifySocket() = default;

const std::string& NotifySocket::address() const {
    return m_impl->address;
}

} // namespace golaunch
