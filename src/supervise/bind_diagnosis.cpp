#include "supervise/bind_diagnosis.hpp"

#include "preflight/port_owners.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>

namespace golaunch {

namespace {

int unprivileged_port_start() {
    std::ifstream in("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    int value = 1024;
    in >> value;
    return value;
}

} // namespace

BindDiagnosis diagnose_bind_failure(const BindEvent& event, const SocketTable& table) {
    BindDiagnosis diagnosis;
    const std::string where = format_endpoint(event.address, event.port);
    diagnosis.message = std::string(to_string(event.call)) + " " + where + " failed with " +
                        errno_name(event.error) + " (" + std::strerror(event.error) + ")";
    switch (event.error) {
    case EADDRINUSE: {
        std::vector<PortUser> users;
        try {
            users = find_port_users(table, event.port, true);
        } catch (const std::exception&) {
        }
        for (const auto& user : users) {
            if (user.socket.protocol != event.protocol) {
                continue;
            }
            std::string line =
                "held on " + format_endpoint(user.socket.local_address, user.socket.local_port);
            if (user.owners.empty()) {
                line += " by a process we may not inspect";
            }
            for (const auto& owner : user.owners) {
                line += " by " + describe_owner(owner) +
                        (started_by_golaunch(owner) ? " [started by golaunch]"
                                                    : " [not started by golaunch]");
            }
            diagnosis.facts.push_back(line);
        }
        if (diagnosis.facts.empty()) {
            diagnosis.facts.push_back("no listener is left on it now (it was released, or it is "
                                      "a port in TIME-WAIT held without SO_REUSEADDR)");
        }
        diagnosis.remedy = "stop the holder, or set on_port_conflict = \"next-free\"; "
                           "`golaunch who " +
                           std::to_string(event.port) + "` shows it again";
        break;
    }
    case EACCES:
    case EPERM: {
        const int start = unprivileged_port_start();
        if (event.port < start) {
            diagnosis.facts.push_back(
                "port " + std::to_string(event.port) +
                " is below net.ipv4.ip_unprivileged_port_start=" + std::to_string(start) +
                " and the service lacks CAP_NET_BIND_SERVICE");
            diagnosis.remedy = "use a port >= " + std::to_string(start) +
                               " (a reverse proxy can forward :" + std::to_string(event.port) +
                               "), or `sudo sysctl -w net.ipv4.ip_unprivileged_port_start=" +
                               std::to_string(event.port) + "`";
        } else {
            diagnosis.facts.push_back("refused by a security module or a container policy");
        }
        break;
    }
    case EADDRNOTAVAIL:
        diagnosis.facts.push_back(event.address + " is not an address of any interface here");
        diagnosis.remedy = "bind 127.0.0.1 or ::1 for local development (`ip -brief address` "
                           "lists the addresses)";
        break;
    default:
        break;
    }
    return diagnosis;
}

} // namespace golaunch
