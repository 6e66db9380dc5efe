// Readiness for now: every declared port is listening, owned by the service's process tree.
// Read from the socket table (NETLINK_SOCK_DIAG, ~0.04 ms a query); owners are looked up
// only for listener inodes not seen before. The bind monitor (seccomp) will replace polling.
#pragma once

#include "platform/process_info.hpp"
#include "platform/socket_table.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

struct PortListener {
    std::string address; // as the table shows it
    AddressFamily family = AddressFamily::ipv4;
    std::vector<pid_t> owners;
    bool ours = false;          // owned by the service's process tree
    bool owner_unknown = false; // the OS does not say who owns it (Wine); counted as ours
};

class ReadinessProbe {
  public:
    // `member`: whether a pid belongs to the service by membership (its cgroup), which a
    // daemon that left the process group and the parent chain still does.
    ReadinessProbe(const SocketTable& table, pid_t service_pid, std::vector<std::uint16_t> ports,
                   std::function<bool(pid_t)> member = {});

    // Re-reads the table. True once every port has a listener owned by the service's tree.
    bool poll();

    // Ports that are not (yet) listened on by the service, with whatever holds them instead.
    std::vector<std::uint16_t> missing_ports() const;
    const std::map<std::uint16_t, std::vector<PortListener>>& listeners() const {
        return m_listeners;
    }

  private:
    bool owned_by_service(pid_t pid) const;
    std::optional<std::uint32_t> service_uid(); // of the service's process, read once

    const SocketTable& m_table;
    pid_t m_service_pid;
    std::vector<std::uint16_t> m_ports;
    std::function<bool(pid_t)> m_member;
    std::map<std::uint64_t, PortListener> m_known; // inode -> what we learnt about it
    std::map<std::uint16_t, std::vector<PortListener>> m_listeners;
    std::optional<std::uint32_t> m_service_uid;
};

} // namespace golaunch
