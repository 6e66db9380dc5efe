#include "preflight/port_findings.hpp"

#include "platform/admin_commands.hpp"
#include "platform/port_owners.hpp"
#include "util/strings.hpp"

#include <algorithm>

namespace golaunch {

namespace {

std::string ownership_note(const ProcessInfo& info, HolderKind kind) {
    switch (kind) {
    case HolderKind::this_golaunch:
        return ", started by this golaunch";
    case HolderKind::live_golaunch:
        return ", started by golaunch pid " + std::to_string(info.golaunch_pid) +
               ", which is running";
    case HolderKind::running_ours:
        return ", started by golaunch pid " + std::to_string(info.golaunch_pid) +
               ", which is running this project";
    case HolderKind::stale_ours:
        return ", left by golaunch pid " + std::to_string(info.golaunch_pid) +
               " of this manifest, which is gone: stale";
    case HolderKind::stale_unknown:
        return ", marked by golaunch pid " + std::to_string(info.golaunch_pid) +
               ", which is gone (not recorded for this manifest)";
    case HolderKind::foreign:
        break;
    }
    return "";
}

std::vector<std::string> evidence_lines(const PortSighting& seen) {
    std::vector<std::string> lines;
    for (const auto& user : seen.users) {
        std::string line = std::string(to_string(user.socket.protocol)) + " " +
                           to_string(user.socket.state) + " " +
                           format_endpoint(user.socket.local_address, user.socket.local_port) + " ";
        if (user.owners.empty()) {
            line += seen.denied > 0 ? "owner hidden (run as root to see it)"
                                    : "owner not found (another PID namespace, or just exited)";
        }
        for (std::size_t i = 0; i < user.owners.size(); ++i) {
            HolderKind kind = HolderKind::foreign;
            for (const auto& holder : seen.conflict.holders) {
                if (holder.info.pid == user.owners[i].pid) {
                    kind = holder.kind;
                }
            }
            line += (i > 0 ? "; " : "") + describe_owner(user.owners[i]) +
                    ownership_note(user.owners[i], kind);
        }
        lines.push_back(std::move(line));
    }
    return lines;
}

// "pid 42 (/usr/bin/python3)", "pid 42 (/a) and pid 43 (/b)", or who we could not see.
std::string holders_text(const PortSighting& seen) {
    const auto& conflict = seen.conflict;
    if (conflict.holders.empty()) {
        if (seen.denied > 0) {
            return "a process we may not inspect (owner hidden: run " +
                   elevated("golaunch who " + std::to_string(conflict.port)) + " to see it)";
        }
        return "a socket whose owner was not found";
    }
    std::vector<std::string> parts;
    for (const auto& holder : conflict.holders) {
        parts.push_back("pid " + std::to_string(holder.info.pid) + " (" +
                        (holder.info.exe.empty() ? holder.info.name : holder.info.exe) + ")");
    }
    std::string text = join(parts, " and ");
    const auto& first = conflict.holders.front();
    if (conflict.all_stale_ours()) {
        text = "a stale instance of this project: " + text + ", left by golaunch pid " +
               std::to_string(first.info.golaunch_pid) + ", which is gone";
    } else if (first.kind == HolderKind::live_golaunch || first.kind == HolderKind::running_ours) {
        text +=
            ", in use by a running golaunch (pid " + std::to_string(first.info.golaunch_pid) + ")";
    }
    return text;
}

// The facts of a sighting for scripts: the service's port and each holder, with the address
// its socket on the port is bound to.
FindingFields sighting_fields(const PortSighting& seen) {
    const auto& conflict = seen.conflict;
    FindingFields fields;
    fields.service = conflict.service;
    fields.port_name = conflict.port_name;
    fields.port = conflict.port;
    for (const auto& holder : conflict.holders) {
        FindingHolder named;
        named.pid = holder.info.pid;
        named.exe = holder.info.exe.empty() ? holder.info.name : holder.info.exe;
        named.user = holder.info.user;
        named.kind = to_string(holder.kind);
        named.golaunch_pid = holder.info.golaunch_pid;
        for (const auto& user : seen.users) {
            for (const auto& owner : user.owners) {
                if (owner.pid == holder.info.pid && named.address.empty()) {
                    named.address = user.socket.local_address;
                }
            }
        }
        fields.holders.push_back(std::move(named));
    }
    return fields;
}

std::string holder_pids(const PortConflict& conflict) {
    std::vector<std::string> pids;
    for (const auto& holder : conflict.holders) {
        pids.push_back(std::to_string(holder.info.pid));
    }
    return join(pids, " ");
}

std::vector<pid_t> pids_of(const PortConflict& conflict) {
    std::vector<pid_t> pids;
    for (const auto& holder : conflict.holders) {
        pids.push_back(holder.info.pid);
    }
    return pids;
}

bool held_by_http_sys(const PortConflict& conflict) {
    return std::any_of(conflict.holders.begin(), conflict.holders.end(), [](const auto& holder) {
        return holder.info.pid == k_windows_system_pid && holder.info.name == k_http_sys_owner;
    });
}

// http.sys (pid 4) cannot be killed: the service that registered the URL is the one to stop.
std::string http_sys_remedy(std::uint16_t port) {
    return "`netsh http show servicestate` names the process that registered a URL on port " +
           std::to_string(port) +
           "; stop that service (IIS: `net stop was`, WinRM: `net stop winrm`, SSDP: `net stop "
           "ssdpsrv`, as Administrator), or pick another port";
}

std::string remedy_text(const PortConflict& conflict, const ServiceSpec& service) {
    if (conflict.all_stale_ours()) {
        return "`golaunch fix` stops it (only golaunch's own stale processes are stopped); or "
               "set on_port_conflict = \"stop-stale\" so that `golaunch run` does it";
    }
    const std::string pids = holder_pids(conflict);
    std::string stop;
    if (held_by_http_sys(conflict)) {
        stop = http_sys_remedy(conflict.port);
    } else if (pids.empty()) {
        stop = "find the owner with " + elevated("golaunch who " + std::to_string(conflict.port)) +
               " and stop it";
    } else {
        stop = "stop pid " + pids + " (`" + kill_command_text(pids_of(conflict)) + "`)";
    }
    const std::string move = "`golaunch fix` moves it to the next free port "
                             "(.golaunch/ports.toml)";
    switch (service.on_port_conflict) {
    case PortConflictPolicy::next_free:
        // Reached only when no free port was found: run cannot move it either.
        return stop + ", or pick another port";
    case PortConflictPolicy::fail:
    case PortConflictPolicy::stop_stale:
        break;
    }
    std::string remedy = move + "; or " + stop +
                         ", or set on_port_conflict = \"next-free\" in [defaults] or [services." +
                         service.name + "], or pick another port";
    if (service.on_port_conflict == PortConflictPolicy::stop_stale) {
        remedy += " (on_port_conflict = \"stop-stale\" stops only golaunch's own stale instance, "
                  "and this holder is not one)";
    }
    return remedy;
}

} // namespace

Finding port_in_use_finding(const PortSighting& seen, const ServiceSpec& service,
                            const std::string& extra) {
    const auto& conflict = seen.conflict;
    const std::string label = conflict.service + "." + conflict.port_name;
    Finding finding;
    finding.id = "port-in-use";
    finding.severity = Severity::error;
    finding.subject = label + " :" + std::to_string(conflict.port);
    finding.message = "port " + std::to_string(conflict.port) + " (" + label +
                      ") is already in use by " + holders_text(seen) + extra;
    finding.evidence = evidence_lines(seen);
    finding.remedy = remedy_text(conflict, service);
    finding.fix = conflict.all_stale_ours() ? "stop-stale" : "move-port";
    finding.fields = sighting_fields(seen);
    return finding;
}

Finding port_moved_finding(const PortSighting& seen, std::uint16_t moved) {
    const auto& conflict = seen.conflict;
    const std::string label = conflict.service + "." + conflict.port_name;
    Finding finding;
    finding.id = "port-moved";
    finding.severity = Severity::info;
    finding.subject = label + " :" + std::to_string(conflict.port);
    std::string holder = holders_text(seen);
    if (conflict.holders.size() == 1) {
        holder = describe_owner(conflict.holders.front().info);
    }
    finding.message = label + ": port " + std::to_string(conflict.port) + " is in use by " +
                      holder + "; using " + std::to_string(moved) + " instead";
    finding.evidence = evidence_lines(seen);
    finding.fields = sighting_fields(seen);
    finding.fields.to = moved;
    return finding;
}

Finding stale_stopped_finding(const PortSighting& seen, const std::string& note) {
    const auto& conflict = seen.conflict;
    const std::string label = conflict.service + "." + conflict.port_name;
    Finding finding;
    finding.id = "stale-stopped";
    finding.severity = Severity::info;
    finding.subject = label + " :" + std::to_string(conflict.port);
    finding.message = label + ": port " + std::to_string(conflict.port) + " was held by " +
                      holders_text(seen) + "; stopped it (on_port_conflict = \"stop-stale\")";
    finding.evidence = evidence_lines(seen);
    if (!note.empty()) {
        finding.evidence.push_back(note);
    }
    finding.fields = sighting_fields(seen);
    return finding;
}

Finding port_will_move_finding(const PortSighting& seen, std::uint16_t moved) {
    const auto& conflict = seen.conflict;
    const std::string label = conflict.service + "." + conflict.port_name;
    Finding finding;
    finding.id = "port-will-move";
    finding.severity = Severity::warning;
    finding.subject = label + " :" + std::to_string(conflict.port);
    finding.message = label + ": port " + std::to_string(conflict.port) + " is in use by " +
                      holders_text(seen) + "; `golaunch run` will use " + std::to_string(moved) +
                      " instead (on_port_conflict = \"next-free\"; the next free port now)";
    finding.evidence = evidence_lines(seen);
    const std::string pids = holder_pids(conflict);
    finding.remedy =
        "nothing needed for `golaunch run`; to keep " + std::to_string(conflict.port) + ", stop " +
        (pids.empty() ? "its holder (`golaunch who " + std::to_string(conflict.port) + "`)"
                      : "pid " + pids + " (`" + kill_command_text(pids_of(conflict)) + "`)");
    finding.fix = "move-port";
    finding.fields = sighting_fields(seen);
    finding.fields.to = moved;
    return finding;
}

Finding stale_will_stop_finding(const PortSighting& seen) {
    const auto& conflict = seen.conflict;
    const std::string label = conflict.service + "." + conflict.port_name;
    Finding finding;
    finding.id = "stale-will-stop";
    finding.severity = Severity::warning;
    finding.subject = label + " :" + std::to_string(conflict.port);
    finding.message = "port " + std::to_string(conflict.port) + " (" + label + ") is held by " +
                      holders_text(seen) +
                      "; `golaunch run` stops it first (on_port_conflict = \"stop-stale\")";
    finding.evidence = evidence_lines(seen);
    finding.remedy = "nothing needed for `golaunch run`; `golaunch fix` stops it now";
    finding.fix = "stop-stale";
    finding.fields = sighting_fields(seen);
    return finding;
}

Finding project_running_finding(const PortSighting& seen) {
    const auto& conflict = seen.conflict;
    const auto& first = conflict.holders.front();
    const std::string label = conflict.service + "." + conflict.port_name;
    const pid_t golaunch_pid = first.info.golaunch_pid;
    Finding finding;
    finding.id = "project-running";
    finding.severity = Severity::warning;
    finding.subject = label + " :" + std::to_string(conflict.port);
    finding.message = "port " + std::to_string(conflict.port) + " (" + label +
                      ") is served by this project, already running under golaunch pid " +
                      std::to_string(golaunch_pid) +
                      (first.started_at.empty() ? "" : " (since " + first.started_at + ")") +
                      ": `golaunch run` does not start it twice";
    finding.evidence = evidence_lines(seen);
    finding.remedy = "nothing to fix: it is this project's own service; to restart it, stop that "
                     "golaunch first (Ctrl-C in its terminal, or `" +
                     kill_command_text({golaunch_pid}) + "`)";
    finding.fields = sighting_fields(seen);
    finding.fields.golaunch_pid = golaunch_pid;
    finding.fields.started_at = first.started_at;
    return finding;
}

} // namespace golaunch
