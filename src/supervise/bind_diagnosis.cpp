#include "supervise/bind_diagnosis.hpp"

#include <cerrno>
#include <cstring>

namespace golaunch {

namespace {

BindDiagnosis diagnose_errno(const BindEvent& event, const std::vector<PortUser>& users,
                             const NetConfig& config) {
    BindDiagnosis diagnosis;
    const std::string where = format_endpoint(event.address, event.port);
    diagnosis.message = std::string(to_string(event.call)) + " " + where + " failed with " +
                        errno_name(event.error) + " (" + std::strerror(event.error) + ")";
    switch (event.error) {
    case EADDRINUSE:
        diagnosis.facts = detail::holder_facts(event, users);
        diagnosis.remedy = "stop the holder, or set on_port_conflict = \"next-free\"; "
                           "`golaunch who " +
                           std::to_string(event.port) + "` shows it again";
        break;
    case EACCES:
    case EPERM: {
        const int start = config.unprivileged_port_start.value_or(1024);
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

} // namespace

namespace detail {

std::vector<std::string> holder_facts(const BindEvent& event, const std::vector<PortUser>& users) {
    std::vector<std::string> facts;
    for (const auto& user : users) {
        if (user.socket.protocol != event.protocol || user.socket.state == SocketState::time_wait) {
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
        facts.push_back(line);
    }
    if (facts.empty()) {
        facts.push_back("no listener is left on it now (it was released, or it is "
                        "a port in TIME-WAIT held without SO_REUSEADDR)");
    }
    return facts;
}

} // namespace detail

bool is_winsock_error(int code) {
    return code >= 10000;
}

BindDiagnosis diagnose_bind_error(const BindEvent& event, const std::vector<PortUser>& users,
                                  const NetConfig& config) {
    return is_winsock_error(event.error) ? detail::diagnose_winsock(event, users, config)
                                         : diagnose_errno(event, users, config);
}

BindDiagnosis diagnose_bind_failure(const BindEvent& event, const SocketTable& table) {
    std::vector<PortUser> users;
    try {
        users = find_port_users(table, event.port, true);
    } catch (const std::exception&) {
        // the table could not be read: the diagnosis says what it can without it
    }
    return diagnose_bind_error(event, users, read_net_config());
}

} // namespace golaunch
