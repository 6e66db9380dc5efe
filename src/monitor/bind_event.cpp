#include "monitor/bind_event.hpp"

#include <cerrno>
#include <cstring>

namespace golaunch {

const char* to_string(BindCall call) {
    return call == BindCall::bind ? "bind" : "listen";
}

namespace {

struct WsaError {
    int code;
    const char* name;
    const char* text;
};

constexpr WsaError k_wsa_errors[] = {
    {10013, "WSAEACCES", "Permission denied (exclusive use, or an excluded port range)"},
    {10014, "WSAEFAULT", "Bad address"},
    {10022, "WSAEINVAL", "Invalid argument (socket already bound)"},
    {10038, "WSAENOTSOCK", "Not a socket"},
    {10045, "WSAEOPNOTSUPP", "Operation not supported"},
    {10047, "WSAEAFNOSUPPORT", "Address family not supported"},
    {10048, "WSAEADDRINUSE", "Address already in use"},
    {10049, "WSAEADDRNOTAVAIL", "Cannot assign requested address"},
    {10055, "WSAENOBUFS", "No buffer space available"},
    {10093, "WSANOTINITIALISED", "WSAStartup not called"},
};

const WsaError* find_wsa_error(int error) {
    for (const auto& known : k_wsa_errors) {
        if (known.code == error) {
            return &known;
        }
    }
    return nullptr;
}

} // namespace

std::string wsa_error_text(int error) {
    const auto* known = find_wsa_error(error);
    return known != nullptr ? known->text : "WSA error " + std::to_string(error);
}

std::string errno_name(int error) {
    if (error >= 10000) {
        const auto* known = find_wsa_error(error);
        return known != nullptr ? known->name : "WSA error " + std::to_string(error);
    }
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
    const std::string reason = event.wsa ? wsa_error_text(event.error) : std::strerror(event.error);
    return text + " failed: " + errno_name(event.error) + " (" + reason + ")";
}

} // namespace golaunch
