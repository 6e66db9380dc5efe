// Linux socket table through NETLINK_SOCK_DIAG: ~0.04 ms for the listeners, where
// /proc/net/tcp costs milliseconds even when empty (DESIGN.md, verified facts).
#include "platform/socket_table.hpp"

#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace golaunch {

namespace {

SocketState state_from_kernel(int state, Protocol protocol) {
    switch (state) {
    case TCP_ESTABLISHED:
        return SocketState::established;
    case TCP_SYN_SENT:
        return SocketState::syn_sent;
    case TCP_SYN_RECV:
        return SocketState::syn_recv;
    case TCP_FIN_WAIT1:
        return SocketState::fin_wait1;
    case TCP_FIN_WAIT2:
        return SocketState::fin_wait2;
    case TCP_TIME_WAIT:
        return SocketState::time_wait;
    case TCP_CLOSE:
        return protocol == Protocol::udp ? SocketState::unconnected : SocketState::close;
    case TCP_CLOSE_WAIT:
        return SocketState::close_wait;
    case TCP_LAST_ACK:
        return SocketState::last_ack;
    case TCP_LISTEN:
        return SocketState::listen;
    case TCP_CLOSING:
        return SocketState::closing;
    default:
        return SocketState::other;
    }
}

std::string format_address(int family, const __be32* words) {
    char text[INET6_ADDRSTRLEN] = {};
    ::inet_ntop(family, words, text, sizeof text);
    return text;
}

struct DumpRequest {
    nlmsghdr header;
    inet_diag_req_v2 request;
    nlattr bytecode_attr;
    inet_diag_bc_op bytecode[2];
};

void send_dump_request(int fd, int family, Protocol protocol, const SocketQuery& query) {
    DumpRequest message{};
    message.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
    message.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    message.header.nlmsg_seq = 1;
    message.request.sdiag_family = static_cast<__u8>(family);
    message.request.sdiag_protocol = protocol == Protocol::tcp ? IPPROTO_TCP : IPPROTO_UDP;
    if (query.listening_only) {
        message.request.idiag_states =
            protocol == Protocol::tcp ? (1u << TCP_LISTEN) : (1u << TCP_CLOSE);
    } else {
        message.request.idiag_states = ~0u;
    }
    std::size_t length = NLMSG_LENGTH(sizeof(inet_diag_req_v2));
    if (query.local_port) {
        // "source port == P": accept jumps to the end (8), reject past it (12), as ss does.
        message.bytecode_attr.nla_type = INET_DIAG_REQ_BYTECODE;
        message.bytecode_attr.nla_len = sizeof(nlattr) + sizeof message.bytecode;
        message.bytecode[0] = {INET_DIAG_BC_S_EQ, 8, 12};
        message.bytecode[1] = {0, 0, *query.local_port};
        length = sizeof message;
    }
    message.header.nlmsg_len = static_cast<__u32>(length);
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd, &message, length, 0, reinterpret_cast<sockaddr*>(&kernel), sizeof kernel) <
        0) {
        throw Error(std::string("cannot query the socket table (netlink): ") +
                    std::strerror(errno));
    }
}

SocketEntry parse_entry(const inet_diag_msg* msg, std::size_t payload_length, Protocol protocol) {
    SocketEntry entry;
    entry.protocol = protocol;
    entry.family = msg->idiag_family == AF_INET6 ? AddressFamily::ipv6 : AddressFamily::ipv4;
    entry.state = state_from_kernel(msg->idiag_state, protocol);
    entry.local_address = format_address(msg->idiag_family, msg->id.idiag_src);
    entry.local_port = ntohs(msg->id.idiag_sport);
    entry.remote_address = format_address(msg->idiag_family, msg->id.idiag_dst);
    entry.remote_port = ntohs(msg->id.idiag_dport);
    entry.inode = msg->idiag_inode;
    entry.uid = msg->idiag_uid;
    auto attr_length = static_cast<int>(payload_length - NLMSG_ALIGN(sizeof(inet_diag_msg)));
    auto* attr = reinterpret_cast<const rtattr*>(reinterpret_cast<const char*>(msg) +
                                                 NLMSG_ALIGN(sizeof(inet_diag_msg)));
    for (; RTA_OK(attr, attr_length); attr = RTA_NEXT(attr, attr_length)) {
        if (attr->rta_type == INET_DIAG_SKV6ONLY) {
            entry.v6only = *static_cast<const unsigned char*>(RTA_DATA(attr)) != 0;
        }
    }
    return entry;
}

void dump(int family, Protocol protocol, const SocketQuery& query, std::vector<SocketEntry>& out) {
    UniqueFd fd(::socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG));
    if (!fd.valid()) {
        throw Error(std::string("cannot open NETLINK_SOCK_DIAG: ") + std::strerror(errno));
    }
    send_dump_request(fd.get(), family, protocol, query);
    alignas(nlmsghdr) char buffer[32768];
    while (true) {
        const ssize_t received = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (received < 0) {
            if (errno == EINTR) {
                continue;
            }
            throw Error(std::string("cannot read the socket table (netlink): ") +
                        std::strerror(errno));
        }
        if (received == 0) {
            return;
        }
        auto remaining = static_cast<unsigned int>(received);
        for (auto* header = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(header, remaining);
             header = NLMSG_NEXT(header, remaining)) {
            if (header->nlmsg_type == NLMSG_DONE) {
                return;
            }
            if (header->nlmsg_type == NLMSG_ERROR) {
                const auto* error = static_cast<const nlmsgerr*>(NLMSG_DATA(header));
                if (error->error == -ENOENT || error->error == -EPROTONOSUPPORT) {
                    return; // e.g. IPv6 or UDP diag not in this kernel: nothing to list
                }
                throw Error(std::string("socket table query failed: ") +
                            std::strerror(-error->error));
            }
            const auto* msg = static_cast<const inet_diag_msg*>(NLMSG_DATA(header));
            SocketEntry entry = parse_entry(msg, NLMSG_PAYLOAD(header, 0), protocol);
            if (query.local_port && entry.local_port != *query.local_port) {
                continue;
            }
            out.push_back(std::move(entry));
        }
    }
}

class LinuxSocketTable final : public SocketTable {
  public:
    std::vector<SocketEntry> query(const SocketQuery& query) const override {
        std::vector<SocketEntry> entries;
        for (const int family : {AF_INET, AF_INET6}) {
            dump(family, Protocol::tcp, query, entries);
            if (query.include_udp) {
                dump(family, Protocol::udp, query, entries);
            }
        }
        return entries;
    }
};

} // namespace

const SocketTable& system_socket_table() {
    static const LinuxSocketTable table;
    return table;
}

} // namespace golaunch
