#include "preflight/port_check.hpp"

#include "platform/port_finder.hpp"
#include "preflight/port_owners.hpp"
#include "util/strings.hpp"

#include <set>

namespace golaunch {

namespace {

struct Conflict {
    std::string label; // "api.http"
    std::uint16_t port = 0;
    std::vector<PortUser> users;      // TCP sockets on the port
    std::vector<ProcessInfo> holders; // distinct owner processes
    int denied = 0;
};

std::vector<const ServiceSpec*> selected_services(const Manifest& manifest,
                                                  const std::vector<std::string>& names) {
    std::vector<const ServiceSpec*> selected;
    if (names.empty()) {
        for (const auto& service : manifest.services) {
            selected.push_back(&service);
        }
        return selected;
    }
    for (const auto& name : names) {
        if (const auto* service = manifest.find_service(name)) {
            selected.push_back(service);
        }
    }
    return selected;
}

std::string ownership_note(const ProcessInfo& info, const std::function<bool(pid_t)>& is_ours) {
    if (is_ours && is_ours(info.pid)) {
        return ", started by this golaunch";
    }
    if (started_by_golaunch(info)) {
        return ", started by golaunch pid " + std::to_string(info.golaunch_pid);
    }
    return "";
}

std::vector<std::string> evidence_lines(const Conflict& conflict,
                                        const std::function<bool(pid_t)>& is_ours) {
    std::vector<std::string> lines;
    for (const auto& user : conflict.users) {
        std::string line = std::string(to_string(user.socket.protocol)) + " " +
                           to_string(user.socket.state) + " " +
                           format_endpoint(user.socket.local_address, user.socket.local_port) + " ";
        if (user.owners.empty()) {
            line += conflict.denied > 0 ? "owner hidden (run as root to see it)"
                                        : "owner not found (another PID namespace, or just exited)";
        }
        for (std::size_t i = 0; i < user.owners.size(); ++i) {
            line += (i > 0 ? "; " : "") + describe_owner(user.owners[i]) +
                    ownership_note(user.owners[i], is_ours);
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

// "pid 42 (/usr/bin/python3)", "pid 42 (/a) and pid 43 (/b)", or who we could not see.
std::string holders_text(const Conflict& conflict) {
    if (conflict.holders.empty()) {
        if (conflict.denied > 0) {
            return "a process we may not inspect (owner hidden: run as root (sudo golaunch who " +
                   std::to_string(conflict.port) + ") to see it)";
        }
        return "a socket whose owner was not found";
    }
    std::vector<std::string> parts;
    for (const auto& info : conflict.holders) {
        parts.push_back("pid " + std::to_string(info.pid) + " (" +
                        (info.exe.empty() ? info.name : info.exe) + ")");
    }
    return join(parts, " and ");
}

std::string holder_pids(const Conflict& conflict) {
    std::vector<std::string> pids;
    for (const auto& info : conflict.holders) {
        pids.push_back(std::to_string(info.pid));
    }
    return join(pids, " ");
}

std::string remedy_text(const Conflict& conflict, const ServiceSpec& service, bool apply_policy) {
    const std::string pids = holder_pids(conflict);
    std::string stop;
    if (pids.empty()) {
        stop = "find the owner with `sudo golaunch who " + std::to_string(conflict.port) +
               "` and stop it";
    } else {
        stop = "stop pid " + pids + " (`kill " + pids + "`)";
    }
    std::string remedy;
    switch (service.on_port_conflict) {
    case PortConflictPolicy::next_free:
        remedy = apply_policy ? stop + ", or pick another port"
                              : "`golaunch run` moves it to the next free port (on_port_conflict = "
                                "\"next-free\"); or " +
                                    stop;
        break;
    case PortConflictPolicy::fail:
    case PortConflictPolicy::stop_stale:
        remedy = stop + ", or set on_port_conflict = \"next-free\" in [defaults] or [services." +
                 service.name + "], or pick another port";
        break;
    }
    if (service.on_port_conflict == PortConflictPolicy::stop_stale) {
        remedy += " (on_port_conflict = \"stop-stale\", which stops only golaunch's own stale "
                  "instance, arrives with `golaunch fix`)";
    }
    return remedy;
}

Finding in_use_finding(const Conflict& conflict, const ServiceSpec& service, bool apply_policy,
                       const std::function<bool(pid_t)>& is_ours, const std::string& extra) {
    Finding finding;
    finding.id = "port-in-use";
    finding.severity = Severity::error;
    finding.subject = conflict.label + " :" + std::to_string(conflict.port);
    finding.message = "port " + std::to_string(conflict.port) + " (" + conflict.label +
                      ") is already in use by " + holders_text(conflict) + extra;
    finding.evidence = evidence_lines(conflict, is_ours);
    finding.remedy = remedy_text(conflict, service, apply_policy);
    return finding;
}

Finding moved_finding(const Conflict& conflict, std::uint16_t moved,
                      const std::function<bool(pid_t)>& is_ours) {
    Finding finding;
    finding.id = "port-moved";
    finding.severity = Severity::info;
    finding.subject = conflict.label + " :" + std::to_string(conflict.port);
    std::string holder = holders_text(conflict);
    if (conflict.holders.size() == 1) {
        holder = describe_owner(conflict.holders.front());
    }
    finding.message = conflict.label + ": port " + std::to_string(conflict.port) +
                      " is in use by " + holder + "; using " + std::to_string(moved) + " instead";
    finding.evidence = evidence_lines(conflict, is_ours);
    return finding;
}

std::optional<Conflict> find_conflict(const SocketTable& table, const std::string& label,
                                      std::uint16_t port) {
    Conflict conflict;
    conflict.label = label;
    conflict.port = port;
    for (auto& user : find_port_users(table, port, true, &conflict.denied)) {
        // A bound UDP socket does not keep a TCP listener off the port.
        if (user.socket.protocol == Protocol::tcp) {
            conflict.users.push_back(std::move(user));
        }
    }
    if (conflict.users.empty()) {
        return std::nullopt;
    }
    std::set<pid_t> seen;
    for (const auto& user : conflict.users) {
        for (const auto& owner : user.owners) {
            if (seen.insert(owner.pid).second) {
                conflict.holders.push_back(owner);
            }
        }
    }
    return conflict;
}

} // namespace

PortCheckResult check_ports(const Manifest& manifest, const std::vector<std::string>& services,
                            const SocketTable& table, bool apply_policy,
                            const std::function<bool(pid_t)>& is_ours) {
    PortCheckResult result;
    result.assignments = declared_ports(manifest);
    std::set<std::uint16_t> reserved; // never move onto a port another service declared
    for (const auto& [service, ports] : result.assignments) {
        for (const auto& [name, number] : ports) {
            reserved.insert(number);
        }
    }
    for (const auto* service : selected_services(manifest, services)) {
        for (const auto& port : service->ports) {
            if (port.number == 0) {
                continue;
            }
            const auto conflict =
                find_conflict(table, service->name + "." + port.name, port.number);
            if (!conflict) {
                continue;
            }
            if (!apply_policy || service->on_port_conflict != PortConflictPolicy::next_free) {
                result.findings.push_back(
                    in_use_finding(*conflict, *service, apply_policy, is_ours, ""));
                continue;
            }
            const auto moved = next_free_port(table, port.number, reserved);
            if (!moved) {
                result.findings.push_back(
                    in_use_finding(*conflict, *service, apply_policy, is_ours,
                                   ", and no free port was found to move to"));
                continue;
            }
            reserved.insert(*moved);
            result.assignments[service->name][port.name] = *moved;
            result.findings.push_back(moved_finding(*conflict, *moved, is_ours));
        }
    }
    return result;
}

} // namespace golaunch
