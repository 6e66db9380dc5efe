#include "supervise/readiness.hpp"

#include <set>

namespace golaunch {

ReadinessProbe::ReadinessProbe(const SocketTable& table, pid_t service_pid,
                               std::vector<std::uint16_t> ports, std::function<bool(pid_t)> member)
    : m_table(table), m_service_pid(service_pid), m_ports(std::move(ports)),
      m_member(std::move(member)) {}

bool ReadinessProbe::owned_by_service(pid_t pid) const {
    if (m_member && m_member(pid)) {
        return true;
    }
    // The service leads its own process group; `go run`-style children stay in it unless they
    // call setsid, and those are still found through the parent chain.
    for (int depth = 0; depth < 64 && pid > 1; ++depth) {
        if (pid == m_service_pid) {
            return true;
        }
        const auto info = read_process_info(pid);
        if (!info) {
            return false;
        }
        if (info->pgid == m_service_pid) {
            return true;
        }
        pid = info->ppid;
    }
    return false;
}

std::optional<std::uint32_t> ReadinessProbe::service_uid() {
    if (!m_service_uid) {
        if (const auto info = read_process_info(m_service_pid)) {
            m_service_uid = info->uid;
        }
    }
    return m_service_uid;
}

bool ReadinessProbe::poll() {
    m_listeners.clear();
    std::vector<SocketEntry> entries;
    for (const std::uint16_t port : m_ports) {
        SocketQuery query;
        query.local_port = port;
        query.listening_only = true;
        query.include_udp = false;
        auto found = m_table.query(query);
        entries.insert(entries.end(), found.begin(), found.end());
    }
    std::set<std::uint64_t> unknown;
    for (const auto& entry : entries) {
        if (entry.inode != 0 && !m_known.count(entry.inode)) {
            unknown.insert(entry.inode);
        }
    }
    if (!unknown.empty()) {
        const auto owners = find_socket_owners(unknown);
        for (const auto inode : unknown) {
            PortListener listener;
            const auto found = owners.find(inode);
            if (found != owners.end()) {
                listener.owners = found->second;
                for (const pid_t owner : listener.owners) {
                    listener.ours = listener.ours || owned_by_service(owner);
                }
            }
            m_known[inode] = listener;
        }
    }
    for (const auto& entry : entries) {
        PortListener listener = m_known[entry.inode];
        // inode 0 on a listener: the OS does not name its owner (Wine reports owner pid 0).
        // Preflight found the port free before the run, so a listener there now is the
        // service's. Linux never reports a listening socket without its inode; it hides the
        // owner only when we may not read its descriptors, as for a program that gained a file
        // capability (`setcap`, then not dumpable) run by a golaunch that is not root: a
        // listener of the service's own user there is the service's too.
        listener.owner_unknown = entry.inode == 0;
        const bool hidden_of_same_user =
            entry.inode != 0 && listener.owners.empty() && service_uid() == entry.uid;
        listener.ours = listener.ours || listener.owner_unknown || hidden_of_same_user;
        listener.address = entry.local_address;
        listener.family = entry.family;
        m_listeners[entry.local_port].push_back(listener);
    }
    return missing_ports().empty();
}

std::vector<std::uint16_t> ReadinessProbe::missing_ports() const {
    std::vector<std::uint16_t> missing;
    for (const std::uint16_t port : m_ports) {
        bool listening = false;
        const auto found = m_listeners.find(port);
        if (found != m_listeners.end()) {
            for (const auto& listener : found->second) {
                listening = listening || listener.ours;
            }
        }
        if (!listening) {
            missing.push_back(port);
        }
    }
    return missing;
}

} // namespace golaunch
