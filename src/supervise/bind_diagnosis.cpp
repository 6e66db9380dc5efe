#include "supervise/bind_diagnosis.hpp"

#include "preflight/privileged_port_advice.hpp"

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>

namespace golaunch {

namespace {

constexpr int k_wsaeacces_code = 10013; // WSAEACCES

std::string owners_text(const PortUser& user) {
    if (user.owners.empty()) {
        return " by a process we may not inspect";
    }
    std::string text;
    for (const auto& owner : user.owners) {
        text +=
            " by " + describe_owner(owner) +
            (started_by_golaunch(owner) ? " [started by golaunch]" : " [not started by golaunch]");
    }
    return text;
}

// Why a bind below the unprivileged start failed, and the way out for this kind of service
// (the same text as check's privileged-port: preflight/privileged_port_advice.hpp).
void explain_privileged(const BindEvent& event, const NetConfig& config, const ProcessInfo* caller,
                        BindDiagnosis& diagnosis) {
    const int start = config.unprivileged_port_start.value_or(1024);
    std::string who = "the service";
    if (caller != nullptr) {
        who = "pid " + std::to_string(caller->pid) + " (user " + caller->user + ")";
    }
    diagnosis.facts.push_back(
        "port " + std::to_string(event.port) + " is below net.ipv4.ip_unprivileged_port_start=" +
        std::to_string(start) + " and " + who + " lacks CAP_NET_BIND_SERVICE");
    if (config.can_bind_privileged) {
        diagnosis.facts.push_back("golaunch itself may bind it: the service runs with less "
                                  "privilege (another user, or its own user namespace)");
    }
    PrivilegedBind bind;
    bind.port = event.port;
    bind.unprivileged_port_start = start;
    bind.launched = event.launched;
    bind.kind = launch_kind_of(event.launched);
    bind.root = config.root;
    if (caller != nullptr) {
        bind.caller = caller->exe;
        bind.caller_no_new_privs = caller->no_new_privs;
    }
    diagnosis.remedy = privileged_port_remedy(bind);
}

BindDiagnosis diagnose_errno(const BindEvent& event, const std::vector<PortUser>& users,
                             const NetConfig& config, const ProcessInfo* caller) {
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
        if (event.port < config.unprivileged_port_start.value_or(1024)) {
            explain_privileged(event, config, caller, diagnosis);
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

// A TCP socket bound but neither listening nor connected shows as CLOSE with no peer (Linux
// lists such sockets since 6.8, when every state is asked for).
bool bound_only(const SocketEntry& socket) {
    return socket.protocol == Protocol::tcp && socket.state == SocketState::close &&
           socket.remote_port == 0;
}

bool holds_port(const SocketEntry& socket) {
    return socket.state == SocketState::listen || socket.state == SocketState::unconnected ||
           bound_only(socket);
}

// Every family counts: a wildcard [::]:P bind (Go's ":P", dual-stack) fails on a holder of
// 127.0.0.1:P as on one of [::1]:P, and the table is asked for the port in both.
std::vector<std::string> holder_facts(const BindEvent& event, const std::vector<PortUser>& users) {
    std::vector<std::string> facts;
    for (const auto& user : users) {
        if (user.socket.protocol != event.protocol || !holds_port(user.socket)) {
            continue;
        }
        const std::string where =
            format_endpoint(user.socket.local_address, user.socket.local_port);
        facts.push_back((bound_only(user.socket) ? "bound (not listening) on " : "held on ") +
                        where + owners_text(user));
    }
    if (!facts.empty()) {
        return facts;
    }
    // No holder: a connection whose local end is the port keeps a bind without SO_REUSEADDR
    // off it too (an outgoing connection given that port from the ephemeral range).
    for (const auto& user : users) {
        if (user.socket.protocol != event.protocol || user.socket.state == SocketState::time_wait ||
            user.socket.local_port != event.port || user.socket.remote_port == 0) {
            continue;
        }
        facts.push_back("the local end of a connection " +
                        format_endpoint(user.socket.local_address, user.socket.local_port) +
                        " -> " +
                        format_endpoint(user.socket.remote_address, user.socket.remote_port) +
                        owners_text(user));
    }
    if (facts.empty()) {
        facts.push_back("no listener is left on it now (it was released, or it is a port in "
                        "TIME-WAIT held without SO_REUSEADDR, or a socket bound without "
                        "listening, which kernels before 6.8 do not list)");
    }
    return facts;
}

} // namespace detail

bool is_winsock_error(int code) {
    return code >= 10000;
}

BindDiagnosis diagnose_bind_error(const BindEvent& event, const std::vector<PortUser>& users,
                                  const NetConfig& config, const ProcessInfo* caller,
                                  const WfpAudit* audit) {
    return is_winsock_error(event.error) ? detail::diagnose_winsock(event, users, config, audit)
                                         : diagnose_errno(event, users, config, caller);
}

BindDiagnosis diagnose_bind_failure(const BindEvent& event, const SocketTable& table) {
    std::vector<PortUser> users;
    try {
        users = find_port_users(table, event.port, false);
    } catch (const std::exception&) {
        // the table could not be read: the diagnosis says what it can without it
    }
    const auto caller = read_process_info(event.pid);
    std::optional<WfpAudit> audit;
    if (event.wsa && event.error == k_wsaeacces_code) {
        // A WFP filter is one explanation of 10013: look for its trace in the Security log.
        const std::string exe = caller && !caller->exe.empty() ? caller->exe : event.launched;
        audit = read_wfp_blocks(exe, std::chrono::minutes(5));
    }
    return diagnose_bind_error(event, users, read_net_config(), caller ? &*caller : nullptr,
                               audit ? &*audit : nullptr);
}

} // namespace golaunch
