#include "remedy/fixer.hpp"

#include "instance/process_stop.hpp"
#include "instance/state_file.hpp"
#include "platform/admin_commands.hpp"
#include "platform/hosts_path.hpp"
#include "platform/port_owners.hpp"
#include "platform/socket_table.hpp"
#include "preflight/project_command.hpp"
#include "remedy/hosts_block.hpp"
#include "remedy/port_move.hpp"
#include "util/error.hpp"

#include <unistd.h>

#include <algorithm>
#include <set>

namespace golaunch {

namespace {

constexpr std::chrono::milliseconds k_max_grace{10'000};
constexpr std::chrono::milliseconds k_port_release{3'000};

std::string label(const PortConflict& conflict) {
    return conflict.service + "." + conflict.port_name;
}

std::string subject(const PortConflict& conflict) {
    return label(conflict) + " :" + std::to_string(conflict.port);
}

std::chrono::milliseconds grace_of(const Manifest& manifest, const std::string& service) {
    const auto* spec = manifest.find_service(service);
    const std::chrono::milliseconds grace =
        spec ? std::chrono::milliseconds(spec->stop_grace.count()) : k_max_grace;
    return std::min(grace, k_max_grace);
}

bool wait_port_free(const PortConflict& conflict) {
    const auto deadline = std::chrono::steady_clock::now() + k_port_release;
    const PortCheckOptions look;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!find_port_conflict(system_socket_table(), conflict.service, conflict.port_name,
                                conflict.port, look)) {
            return true;
        }
        ::usleep(5000);
    }
    return false;
}

// Stops every holder of `conflict`; `stale` = all are our own stale instance.
FixAction stop_holders(const FixRequest& request, const PortConflict& conflict, bool stale) {
    FixAction action;
    action.kind = stale ? "stop-stale" : "stop-process";
    action.subject = subject(conflict);
    const std::string what = stale ? "golaunch's own stale process" : "the process";
    for (const auto& holder : conflict.holders) {
        action.details.push_back(describe_owner(holder.info) +
                                 (stale ? " (left by golaunch pid " +
                                              std::to_string(holder.info.golaunch_pid) +
                                              ", which is gone)"
                                        : std::string(" (not started by golaunch; --force)")));
    }
    if (request.dry_run) {
        action.text = "would stop " + what + (conflict.holders.size() > 1 ? "es" : "") +
                      " holding port " + std::to_string(conflict.port) + " (" + label(conflict) +
                      "): SIGTERM, then SIGKILL after " +
                      std::to_string(grace_of(request.manifest, conflict.service).count()) + "ms";
        return action;
    }
    bool stopped = true;
    for (const auto& holder : conflict.holders) {
        // A stale service is stopped with its whole process group (when every member carries
        // the same mark); a process not started by golaunch only by its pid.
        const auto outcome = stop_process(holder.info, holder.kind != HolderKind::foreign,
                                          grace_of(request.manifest, conflict.service));
        action.details.push_back(outcome.text);
        stopped = stopped && outcome.stopped;
    }
    if (stopped && wait_port_free(conflict)) {
        action.done = true;
        action.text = "stopped " + what + (conflict.holders.size() > 1 ? "es" : "") +
                      " holding port " + std::to_string(conflict.port) + " (" + label(conflict) +
                      "); the port is free";
    } else {
        action.failed = true;
        action.text = "port " + std::to_string(conflict.port) + " (" + label(conflict) +
                      ") is still in use after stopping its holder";
        action.hint = "see `golaunch who " + std::to_string(conflict.port) + "`";
    }
    return action;
}

FixAction hosts_block(const FixRequest& request) {
    FixAction action;
    action.kind = "hosts-block";
    const auto& file = request.preflight.hosts_file;
    action.subject = file.string();
    const std::string project = request.manifest.name;
    try {
        const auto edit =
            apply_hosts_block(file, project, project_hosts(request.manifest), request.dry_run);
        for (const auto& note : edit.notes) {
            action.details.push_back(note);
        }
        if (!edit.changed) {
            action.done = !request.dry_run;
            action.text = "the golaunch block for " + project + " in " + file.string() +
                          " is already up to date";
            return action;
        }
        std::string block = edit.new_block;
        std::size_t start = 0;
        while (start < block.size()) {
            auto end = block.find('\n', start);
            end = end == std::string::npos ? block.size() : end;
            action.details.push_back("  " + block.substr(start, end - start));
            start = end + 1;
        }
        if (edit.created) {
            action.done = !request.dry_run;
            action.text = std::string(request.dry_run ? "would create " : "created ") +
                          file.string() + " with the golaunch block for " + project + ":";
        } else if (request.dry_run) {
            action.text =
                "would write the golaunch block for " + project + " in " + file.string() + ":";
        } else {
            action.done = true;
            action.text = "wrote the golaunch block for " + project + " in " + file.string() +
                          (edit.backup_created ? " (backup: " + edit.backup.string() + ")" : "") +
                          ":";
        }
    } catch (const Error& e) {
        action.failed = true;
        action.text = std::string("cannot update ") + file.string() + ": " + e.what();
        action.hint = e.hint();
        if (action.hint == hosts_edit_hint(file)) { // not permitted: the same command, as root
            action.hint = rerun_elevated_hint(project_command("fix", request.manifest, file));
        }
    }
    return action;
}

FixAction leave_running(const PortConflict& conflict, pid_t golaunch_pid) {
    FixAction action;
    action.kind = "leave-running";
    action.subject = subject(conflict);
    action.skipped = true;
    action.text = "left alone: port " + std::to_string(conflict.port) + " (" + label(conflict) +
                  ") is held by this project, already running under golaunch pid " +
                  std::to_string(golaunch_pid) + "; moving it would start a second copy";
    action.hint = "stop that golaunch first (Ctrl-C in its terminal, or `" +
                  kill_command_text({golaunch_pid}) + "`)";
    return action;
}

bool can_force(const PortConflict& conflict) {
    return !conflict.owner_unknown && !conflict.holders.empty() &&
           std::none_of(conflict.holders.begin(), conflict.holders.end(),
                        [](const PortHolder& holder) {
                            return holder.kind == HolderKind::live_golaunch ||
                                   holder.kind == HolderKind::running_ours ||
                                   holder.kind == HolderKind::this_golaunch;
                        });
}

} // namespace

std::vector<FixAction> apply_fixes(const FixRequest& request) {
    std::vector<FixAction> actions;
    std::vector<const PortConflict*> to_move;
    for (const auto& conflict : request.preflight.conflicts) {
        if (conflict.resolved) {
            continue;
        }
        if (conflict.all_stale_ours()) {
            actions.push_back(stop_holders(request, conflict, true));
        } else if (conflict.all_running_ours()) {
            actions.push_back(leave_running(conflict, conflict.holders.front().info.golaunch_pid));
        } else if (request.force && can_force(conflict)) {
            actions.push_back(stop_holders(request, conflict, false));
        } else {
            to_move.push_back(&conflict);
        }
    }
    const bool stopped_stale = std::any_of(actions.begin(), actions.end(), [](const auto& a) {
        return a.kind == "stop-stale" && a.done;
    });
    if (stopped_stale) {
        try {
            prune_instances(state_file_path(request.manifest.root_dir));
        } catch (const Error&) {
            // The records are pruned again by the next run.
        }
    }
    // Never move onto a number this run uses, but for the ports being moved (check's view of
    // next-free already holds where run would move them: fix may take the same).
    std::set<std::uint16_t> reserved;
    for (const auto& [service_name, ports] : request.preflight.assignments) {
        for (const auto& [port_name, number] : ports) {
            // Lambdas cannot capture structured bindings before clang 16: name them by reference.
            const std::string& service = service_name;
            const std::string& name = port_name;
            const bool moving = std::any_of(to_move.begin(), to_move.end(), [&](const auto* c) {
                return c->service == service && c->port_name == name;
            });
            if (!moving) {
                reserved.insert(number);
            }
        }
    }
    auto moves = move_ports(request, to_move, std::move(reserved));
    actions.insert(actions.end(), std::make_move_iterator(moves.begin()),
                   std::make_move_iterator(moves.end()));
    const bool hosts_needed =
        std::any_of(request.preflight.findings.begin(), request.preflight.findings.end(),
                    [](const Finding& finding) { return finding.fix == "hosts-block"; });
    if (hosts_needed) {
        actions.push_back(hosts_block(request));
    }
    return actions;
}

} // namespace golaunch
