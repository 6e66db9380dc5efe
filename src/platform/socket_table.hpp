// The OS socket table: every TCP/UDP socket with its inode (Linux: NETLINK_SOCK_DIAG) or its
// owner pid (Windows: GetExtendedTcpTable / GetExtendedUdpTable).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

enum class Protocol { tcp, udp };
enum class AddressFamily { ipv4, ipv6 };

enum class SocketState {
    listen,
    established,
    syn_sent,
    syn_recv,
    fin_wait1,
    fin_wait2,
    time_wait,
    close,
    close_wait,
    last_ack,
    closing,
    unconnected, // UDP sockets that are bound but not connected
    other,
};

const char* to_string(SocketState state);
const char* to_string(Protocol protocol);

struct SocketEntry {
    Protocol protocol = Protocol::tcp;
    AddressFamily family = AddressFamily::ipv4;
    SocketState state = SocketState::other;
    std::string local_address; // "127.0.0.1", "::", "::ffff:127.0.0.1"
    std::uint16_t local_port = 0;
    std::string remote_address;
    std::uint16_t remote_port = 0;
    // Linux: the socket inode. Windows has none: a stable key, owner pid << 32 | a hash of the
    // endpoints. 0 for TIME_WAIT and other orphaned sockets (and, under Wine, for every socket:
    // it reports owner pid 0).
    std::uint64_t inode = 0;
    std::uint32_t uid = 0;
    std::uint32_t owner_pid = 0; // Windows: from the table (0 = unknown); Linux: 0, see inode
    bool v6only = false;         // IPv6 socket that does not also accept IPv4 (Linux only)
};

struct SocketQuery {
    std::optional<std::uint16_t> local_port; // only this port
    bool listening_only = false;             // TCP LISTEN and bound UDP sockets
    bool include_udp = true;
};

// Side-effect boundary; tests may substitute a fake.
class SocketTable {
  public:
    virtual ~SocketTable() = default;
    // Throws golaunch::Error when the table cannot be read.
    virtual std::vector<SocketEntry> query(const SocketQuery& query) const = 0;
};

// The real table of this machine.
const SocketTable& system_socket_table();

// "127.0.0.1:8080", "[::1]:8080".
std::string format_endpoint(const std::string& address, std::uint16_t port);

// True when `address` is a wildcard ("0.0.0.0" or "::").
bool is_wildcard_address(const std::string& address);

} // namespace golaunch
