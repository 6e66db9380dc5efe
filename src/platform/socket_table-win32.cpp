// Windows socket table through the IP Helper API: GetExtendedTcpTable / GetExtendedUdpTable
// with owner pids, IPv4 and IPv6. Windows has no socket inodes: `inode` is a stable key made
// of the owner pid (high 32 bits) and a hash of the socket's endpoints (low 32 bits, never 0),
// so that code keyed by inode (readiness, who, the port check) works unchanged, and
// find_socket_owners() reads the pid back from it. Under Wine every owner pid is 0.
#include "platform/socket_table.hpp"

#include "util/error.hpp"

#include <winsock2.h>

#include <ws2tcpip.h>

#include <windows.h>

#include <iphlpapi.h>

#include <cstring>
#include <vector>

namespace golaunch {

namespace {

constexpr int k_max_table_reads = 8; // the table may grow between the size query and the read

SocketState state_from_mib(DWORD state) {
    switch (state) {
    case MIB_TCP_STATE_CLOSED:
        return SocketState::close;
    case MIB_TCP_STATE_LISTEN:
        return SocketState::listen;
    case MIB_TCP_STATE_SYN_SENT:
        return SocketState::syn_sent;
    case MIB_TCP_STATE_SYN_RCVD:
        return SocketState::syn_recv;
    case MIB_TCP_STATE_ESTAB:
        return SocketState::established;
    case MIB_TCP_STATE_FIN_WAIT1:
        return SocketState::fin_wait1;
    case MIB_TCP_STATE_FIN_WAIT2:
        return SocketState::fin_wait2;
    case MIB_TCP_STATE_CLOSE_WAIT:
        return SocketState::close_wait;
    case MIB_TCP_STATE_CLOSING:
        return SocketState::closing;
    case MIB_TCP_STATE_LAST_ACK:
        return SocketState::last_ack;
    case MIB_TCP_STATE_TIME_WAIT:
        return SocketState::time_wait;
    default:
        return SocketState::other;
    }
}

std::string ipv4_text(DWORD address) {
    char text[INET_ADDRSTRLEN] = {};
    in_addr in{};
    in.s_addr = address;
    ::inet_ntop(AF_INET, &in, text, sizeof text);
    return text;
}

std::string ipv6_text(const UCHAR* bytes) {
    char text[INET6_ADDRSTRLEN] = {};
    in6_addr in{};
    std::memcpy(&in, bytes, sizeof in);
    ::inet_ntop(AF_INET6, &in, text, sizeof text);
    return text;
}

std::uint16_t port_from_mib(DWORD port) {
    return ::ntohs(static_cast<u_short>(port & 0xffff));
}

std::uint32_t fnv1a(std::uint32_t hash, const std::string& text) {
    for (const char c : text) {
        hash = (hash ^ static_cast<unsigned char>(c)) * 16777619u;
    }
    return hash;
}

// The inode stand-in (see the file comment); 0 when the owner is unknown (pid 0: TIME-WAIT
// on Windows, every socket under Wine).
std::uint64_t socket_key(const SocketEntry& entry, DWORD pid) {
    if (pid == 0) {
        return 0;
    }
    std::uint32_t hash = 2166136261u;
    hash = fnv1a(hash, std::string(to_string(entry.protocol)) + entry.local_address + "|" +
                           std::to_string(entry.local_port) + "|" + entry.remote_address + "|" +
                           std::to_string(entry.remote_port));
    return (std::uint64_t{pid} << 32) | (hash == 0 ? 1u : hash);
}

// Calls `read(buffer, size)` until the buffer is big enough; the filled buffer.
template <typename Read> std::vector<char> read_table(const char* what, Read&& read) {
    std::vector<char> buffer(16384);
    for (int attempt = 0; attempt < k_max_table_reads; ++attempt) {
        auto size = static_cast<DWORD>(buffer.size());
        const DWORD result = read(buffer.data(), &size);
        if (result == NO_ERROR) {
            return buffer;
        }
        if (result != ERROR_INSUFFICIENT_BUFFER) {
            throw Error(std::string("cannot read the ") + what + " table (error " +
                        std::to_string(result) + ")");
        }
        buffer.resize(static_cast<std::size_t>(size) + 4096);
    }
    throw Error(std::string("cannot read the ") + what + " table: it keeps growing");
}

bool wanted(const SocketEntry& entry, const SocketQuery& query) {
    if (query.local_port && entry.local_port != *query.local_port) {
        return false;
    }
    if (!query.listening_only) {
        return true;
    }
    return entry.protocol == Protocol::udp || entry.state == SocketState::listen;
}

void add(SocketEntry entry, DWORD pid, const SocketQuery& query, std::vector<SocketEntry>& out) {
    if (!wanted(entry, query)) {
        return;
    }
    entry.owner_pid = static_cast<std::uint32_t>(pid);
    entry.inode = socket_key(entry, pid);
    out.push_back(std::move(entry));
}

void read_tcp4(const SocketQuery& query, std::vector<SocketEntry>& out) {
    const auto buffer = read_table("TCP", [](char* data, DWORD* size) {
        return ::GetExtendedTcpTable(data, size, FALSE, AF_INET, TCP_TABLE_OWNER_PID_ALL, 0);
    });
    const auto* table = reinterpret_cast<const MIB_TCPTABLE_OWNER_PID*>(buffer.data());
    for (DWORD i = 0; i < table->dwNumEntries; ++i) {
        const auto& row = table->table[i];
        SocketEntry entry;
        entry.protocol = Protocol::tcp;
        entry.family = AddressFamily::ipv4;
        entry.state = state_from_mib(row.dwState);
        entry.local_address = ipv4_text(row.dwLocalAddr);
        entry.local_port = port_from_mib(row.dwLocalPort);
        entry.remote_address = ipv4_text(row.dwRemoteAddr);
        entry.remote_port =
            entry.state == SocketState::listen ? 0 : port_from_mib(row.dwRemotePort);
        add(std::move(entry), row.dwOwningPid, query, out);
    }
}

void read_tcp6(const SocketQuery& query, std::vector<SocketEntry>& out) {
    const auto buffer = read_table("TCP (IPv6)", [](char* data, DWORD* size) {
        return ::GetExtendedTcpTable(data, size, FALSE, AF_INET6, TCP_TABLE_OWNER_PID_ALL, 0);
    });
    const auto* table = reinterpret_cast<const MIB_TCP6TABLE_OWNER_PID*>(buffer.data());
    for (DWORD i = 0; i < table->dwNumEntries; ++i) {
        const auto& row = table->table[i];
        SocketEntry entry;
        entry.protocol = Protocol::tcp;
        entry.family = AddressFamily::ipv6;
        entry.state = state_from_mib(row.dwState);
        entry.local_address = ipv6_text(row.ucLocalAddr);
        entry.local_port = port_from_mib(row.dwLocalPort);
        entry.remote_address = ipv6_text(row.ucRemoteAddr);
        entry.remote_port =
            entry.state == SocketState::listen ? 0 : port_from_mib(row.dwRemotePort);
        add(std::move(entry), row.dwOwningPid, query, out);
    }
}

void read_udp4(const SocketQuery& query, std::vector<SocketEntry>& out) {
    const auto buffer = read_table("UDP", [](char* data, DWORD* size) {
        return ::GetExtendedUdpTable(data, size, FALSE, AF_INET, UDP_TABLE_OWNER_PID, 0);
    });
    const auto* table = reinterpret_cast<const MIB_UDPTABLE_OWNER_PID*>(buffer.data());
    for (DWORD i = 0; i < table->dwNumEntries; ++i) {
        const auto& row = table->table[i];
        SocketEntry entry;
        entry.protocol = Protocol::udp;
        entry.family = AddressFamily::ipv4;
        entry.state = SocketState::unconnected;
        entry.local_address = ipv4_text(row.dwLocalAddr);
        entry.local_port = port_from_mib(row.dwLocalPort);
        entry.remote_address = "0.0.0.0";
        add(std::move(entry), row.dwOwningPid, query, out);
    }
}

void read_udp6(const SocketQuery& query, std::vector<SocketEntry>& out) {
    const auto buffer = read_table("UDP (IPv6)", [](char* data, DWORD* size) {
        return ::GetExtendedUdpTable(data, size, FALSE, AF_INET6, UDP_TABLE_OWNER_PID, 0);
    });
    const auto* table = reinterpret_cast<const MIB_UDP6TABLE_OWNER_PID*>(buffer.data());
    for (DWORD i = 0; i < table->dwNumEntries; ++i) {
        const auto& row = table->table[i];
        SocketEntry entry;
        entry.protocol = Protocol::udp;
        entry.family = AddressFamily::ipv6;
        entry.state = SocketState::unconnected;
        entry.local_address = ipv6_text(row.ucLocalAddr);
        entry.local_port = port_from_mib(row.dwLocalPort);
        entry.remote_address = "::";
        add(std::move(entry), row.dwOwningPid, query, out);
    }
}

class WindowsSocketTable final : public SocketTable {
  public:
    std::vector<SocketEntry> query(const SocketQuery& query) const override {
        std::vector<SocketEntry> entries;
        read_tcp4(query, entries);
        read_tcp6(query, entries);
        if (query.include_udp) {
            read_udp4(query, entries);
            read_udp6(query, entries);
        }
        return entries;
    }
};

} // namespace

const SocketTable& system_socket_table() {
    static const WindowsSocketTable table;
    return table;
}

} // namespace golaunch
