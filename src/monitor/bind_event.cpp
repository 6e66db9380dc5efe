#include "monitor/bind_event.hpp"

#include <cerrno>
#include <cstring>

namespace golaunch {

const char* to_string(BindCall call) {
    return call == BindCall::bind ? "bind" : "listen";
}

std::string errno_name(int error) {
    switch (error) {
    case 0:
        return "OK";
    case EADDRINUSE:
        return "EADDRINUSE";
    case EACCES:
        return "EACCES";
    case EPERM:
        return "EPERM";
    case EADDRNOTAVAIL:
        return "EADDRNOTAVAIL";
    case EINVAL:
        return "EINVAL";
    case EAFNOSUPPORT:
        return "EAFNOSUPPORT";
    case EBADF:
        return "EBADF";
    case ENOTSOCK:
        return "ENOTSOCK";
    case EOPNOTSUPP:
        return "EOPNOTSUPP";
    case ENOSYS:
        return "ENOSYS";
    default:
        return "errno " + std::to_string(error);
    }
}

std::string describe(const BindEvent& event) {
    std::string text = std::string(to_string(event.call)) + " " +
                       (event.protocol == Protocol::udp ? "udp " : "") +
                       format_endpoint(event.address, event.port);
    if (event.error == 0) {
        return text + " ok";
    }
    return text + " failed: " + errno_name(event.error) + " (" + std::strerror(event.error) + ")";
}

} // namespace golaunch
