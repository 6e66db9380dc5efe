#include "platform/socket_table.hpp"

namespace golaunch {

std::string format_endpoint(const std::string& address, std::uint16_t port) {
    if (address.find(':') != std::string::npos) {
        return "[" + address + "]:" + std::to_string(port);
    }
    return address + ":" + std::to_string(port);
}

const char* to_string(SocketState state) {
    switch (state) {
    case SocketState::listen:
        return "LISTEN";
    case SocketState::established:
        return "ESTABLISHED";
    case SocketState::syn_sent:
        return "SYN-SENT";
    case SocketState::syn_recv:
        return "SYN-RECV";
    case SocketState::fin_wait1:
        return "FIN-WAIT-1";
    case SocketState::fin_wait2:
        return "FIN-WAIT-2";
    case SocketState::time_wait:
        return "TIME-WAIT";
    case SocketState::close:
        return "CLOSE";
    case SocketState::close_wait:
        return "CLOSE-WAIT";
    case SocketState::last_ack:
        return "LAST-ACK";
    case SocketState::closing:
        return "CLOSING";
    case SocketState::unconnected:
        return "UNCONN";
    case SocketState::other:
        return "?";
    }
    return "?";
}

const char* to_string(Protocol protocol) {
    return protocol == Protocol::tcp ? "tcp" : "udp";
}

bool is_wildcard_address(const std::string& address) {
    return address == "0.0.0.0" || address == "::";
}

} // namespace golaunch
