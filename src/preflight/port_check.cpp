#include "preflight/port_check.hpp"

#include "platform/port_finder.hpp"
#include "platform/port_owners.hpp"
#include "preflight/port_findings.hpp"

#include <algorithm>
#include <set>

namespace golaunch {

namespace {

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

HolderKind default_kind(const ProcessInfo& info, const std::function<bool(pid_t)>& is_ours) {
    if (is_ours && is_ours(info.pid)) {
        return HolderKind::this_golaunch;
    }
    if (info.golaunch_pid <= 0) {
        return HolderKind::foreign;
    }
    return started_by_golaunch(info) ? HolderKind::live_golaunch : HolderKind::stale_unknown;
}

std::optional<PortSighting> look(const SocketTable& table, const std::string& service,
                                 const std::string& port_name, std::uint16_t port,
                                 const PortCheckOptions& options) {
    PortSighting seen;
    seen.conflict.service = service;
    seen.conflict.port_name = port_name;
    seen.conflict.port = port;
    for (auto& user : find_port_users(table, port, true, &seen.denied)) {
        // A bound UDP socket does not keep a TCP listener off the port.
        if (user.socket.protocol == Protocol::tcp) {
            seen.users.push_back(std::move(user));
        }
    }
    if (seen.users.empty()) {
        return std::nullopt;
    }
    std::set<pid_t> pids;
    for (const auto& user : seen.users) {
        seen.conflict.owner_unknown = seen.conflict.owner_unknown || user.owners.empty();
        for (const auto& owner : user.owners) {
            if (!pids.insert(owner.pid).second) {
                continue;
            }
            HolderKind kind = default_kind(owner, options.is_ours);
            if (options.classify && kind != HolderKind::this_golaunch) {
                kind = options.classify(owner);
            }
            std::string started_at;
            if (kind == HolderKind::running_ours && options.started_at) {
                started_at = options.started_at(owner.golaunch_pid);
            }
            seen.conflict.holders.push_back({owner, kind, std::move(started_at)});
        }
    }
    return seen;
}

} // namespace

bool PortConflict::all_stale_ours() const {
    return !holders.empty() && !owner_unknown &&
           std::all_of(holders.begin(), holders.end(), [](const PortHolder& holder) {
               return holder.kind == HolderKind::stale_ours;
           });
}

bool PortConflict::all_running_ours() const {
    return !holders.empty() && !owner_unknown &&
           std::all_of(holders.begin(), holders.end(), [](const PortHolder& holder) {
               return holder.kind == HolderKind::running_ours;
           });
}

std::optional<PortConflict> find_port_conflict(const SocketTable& table, const std::string& service,
                                               const std::string& port_name, std::uint16_t port,
                                               const PortCheckOptions& options) {
    auto seen = look(table, service, port_name, port, options);
    if (!seen) {
        return std::nullopt;
    }
    return std::move(seen->conflict);
}

PortCheckResult check_ports(const Manifest& manifest, const std::vector<std::string>& services,
                            const SocketTable& table, const PortCheckOptions& options) {
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
            auto seen = look(table, service->name, port.name, port.number, options);
            if (!seen) {
                continue;
            }
            auto& conflict = seen->conflict;
            const auto policy = service->on_port_conflict;
            if (conflict.all_running_ours()) {
                result.findings.push_back(project_running_finding(*seen));
                result.conflicts.push_back(conflict);
                continue;
            }
            if (!options.apply_policy && policy == PortConflictPolicy::stop_stale &&
                conflict.all_stale_ours()) {
                result.findings.push_back(stale_will_stop_finding(*seen));
                result.conflicts.push_back(conflict);
                continue;
            }
            if (options.apply_policy && policy == PortConflictPolicy::stop_stale &&
                conflict.all_stale_ours() && options.stop_stale) {
                std::string note;
                if (options.stop_stale(conflict, note)) {
                    conflict.resolved = true;
                    result.findings.push_back(stale_stopped_finding(*seen, note));
                    result.conflicts.push_back(conflict);
                    continue;
                }
                result.findings.push_back(port_in_use_finding(
                    *seen, *service, note.empty() ? "" : " (stop-stale failed: " + note + ")"));
                result.conflicts.push_back(conflict);
                continue;
            }
            if (policy != PortConflictPolicy::next_free) {
                result.findings.push_back(port_in_use_finding(*seen, *service, ""));
                result.conflicts.push_back(conflict);
                continue;
            }
            // What run does, checked or done: the same search, so that both name one port.
            const auto moved = next_free_port(table, port.number, reserved);
            if (!moved) {
                result.findings.push_back(port_in_use_finding(
                    *seen, *service, ", and no free port was found to move to"));
                result.conflicts.push_back(conflict);
                continue;
            }
            reserved.insert(*moved);
            result.assignments[service->name][port.name] = *moved;
            if (options.apply_policy) {
                conflict.resolved = true;
                result.findings.push_back(port_moved_finding(*seen, *moved));
            } else {
                result.findings.push_back(port_will_move_finding(*seen, *moved));
            }
            result.conflicts.push_back(conflict);
        }
    }
    return result;
}

PortCheckResult check_ports(const Manifest& manifest, const std::vector<std::string>& services,
                            const SocketTable& table, bool apply_policy,
                            const std::function<bool(pid_t)>& is_ours) {
    PortCheckOptions options;
    options.apply_policy = apply_policy;
    options.is_ours = is_ours;
    return check_ports(manifest, services, table, options);
}

} // namespace golaunch
