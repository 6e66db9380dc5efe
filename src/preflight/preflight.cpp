#include "preflight/preflight.hpp"

#include "instance/process_stop.hpp"
#include "instance/state_file.hpp"
#include "platform/hosts_path.hpp"
#include "platform/socket_table.hpp"
#include "preflight/endpoints.hpp"
#include "preflight/firewall_check.hpp"
#include "preflight/go_check.hpp"
#include "preflight/go_package_check.hpp"
#include "preflight/hosts_check.hpp"
#include "preflight/ipv6_check.hpp"
#include "preflight/literal_port_check.hpp"
#include "preflight/port_rules_check.hpp"
#include "preflight/project_dir_check.hpp"
#include "preflight/service_dir_check.hpp"

#include <unistd.h>

#include <algorithm>
#include <future>
#include <set>

namespace golaunch {

namespace {

using Check = std::vector<Finding> (*)(const CheckContext&);

struct NamedCheck {
    const char* name;
    Check run;
};

// Fixed order: findings come out in this order whatever finishes first. (The casts pick the
// one-argument overload where a check also has a testing overload.)
const NamedCheck k_checks[] = {
    {"port rules", static_cast<Check>(&check_port_rules)},
    {"ipv6", static_cast<Check>(&check_ipv6)},
    {"hosts", static_cast<Check>(&check_hosts)},
    {"firewall", static_cast<Check>(&check_firewall)},
    {"go toolchain", static_cast<Check>(&check_go_toolchain)},
    {"go packages", &check_go_packages},
    {"service dirs", &check_service_dirs},
    {"project dir", &check_project_dir},
};

constexpr std::chrono::milliseconds k_max_stale_grace{10'000};
constexpr std::chrono::milliseconds k_port_release{3'000};

Finding check_failed(const char* name, const std::string& why) {
    Finding finding;
    finding.id = "check-failed";
    finding.severity = Severity::warning;
    finding.subject = name;
    finding.message = std::string("the ") + name + " check could not run: " + why;
    finding.remedy = "run `golaunch check` again; report it if it persists";
    return finding;
}

// Stops every holder of `conflict` (all our own stale instance), then waits for the port.
bool stop_stale_holders(const Manifest& manifest, const PortConflict& conflict,
                        const SocketTable& table, std::string& note) {
    const auto* service = manifest.find_service(conflict.service);
    const auto grace = std::min<std::chrono::milliseconds>(
        service ? std::chrono::milliseconds(service->stop_grace.count()) : k_max_stale_grace,
        k_max_stale_grace);
    std::vector<std::string> notes;
    bool all_stopped = true;
    for (const auto& holder : conflict.holders) {
        const auto outcome = stop_process(holder.info, true, grace);
        notes.push_back(outcome.text);
        all_stopped = all_stopped && outcome.stopped;
    }
    note = notes.empty() ? "" : notes.front();
    for (std::size_t i = 1; i < notes.size(); ++i) {
        note += "; " + notes[i];
    }
    if (!all_stopped) {
        return false;
    }
    // The process is gone; its listener goes with its last thread a moment later.
    const auto deadline = std::chrono::steady_clock::now() + k_port_release;
    PortCheckOptions look;
    while (std::chrono::steady_clock::now() < deadline) {
        if (!find_port_conflict(table, conflict.service, conflict.port_name, conflict.port, look)) {
            return true;
        }
        ::usleep(5000);
    }
    note += "; the port was still in use afterwards";
    return false;
}

} // namespace

std::function<HolderKind(const ProcessInfo&)> holder_classifier(const Manifest& manifest) {
    auto records = read_instances(state_file_path(manifest.root_dir));
    auto path = manifest.path;
    return [records = std::move(records), path](const ProcessInfo& info) {
        return classify_holder(info, records, path);
    };
}

std::vector<HostEntry> project_hosts(const Manifest& manifest) {
    // Every service's names, not only the selected ones': the block is the project's.
    return wanted_host_entries(manifest, {});
}

PreflightResult run_preflight(const Manifest& manifest, const std::vector<std::string>& services,
                              const PreflightOptions& options) {
    const SocketTable& table = system_socket_table();
    PortCheckOptions port_options;
    port_options.apply_policy = options.apply_policy;
    port_options.is_ours = options.is_ours;
    port_options.classify = holder_classifier(manifest);
    port_options.started_at =
        [records = read_instances(state_file_path(manifest.root_dir))](pid_t golaunch_pid) {
            for (const auto& record : records) {
                if (record.pid == golaunch_pid) {
                    return record.started_at;
                }
            }
            return std::string();
        };
    port_options.stop_stale = [&](const PortConflict& conflict, std::string& note) {
        return stop_stale_holders(manifest, conflict, table, note);
    };
    auto ports = check_ports(manifest, services, table, port_options);

    PreflightResult result;
    result.findings = std::move(ports.findings);
    result.assignments = std::move(ports.assignments);
    result.conflicts = std::move(ports.conflicts);
    // Right after the ports that moved: a config file that still names one's old number.
    auto literal =
        check_literal_ports(manifest, services, port_moves(manifest, result.assignments));
    result.findings.insert(result.findings.end(), std::make_move_iterator(literal.begin()),
                           std::make_move_iterator(literal.end()));
    result.hosts_file = options.hosts_file.empty() ? system_hosts_path() : options.hosts_file;
    result.endpoints = declared_endpoints(manifest, services, result.assignments);

    // The port check ran before the endpoints were known: its findings get their address here.
    for (auto& finding : result.findings) {
        for (const auto& endpoint : result.endpoints) {
            if (finding.fields.address.empty() && finding.fields.service == endpoint.service &&
                finding.fields.port_name == endpoint.port_name) {
                finding.fields.address = endpoint.address;
            }
        }
    }

    CheckContext context{manifest,         services, result.assignments,
                         result.endpoints, table,    result.hosts_file};
    context.resolve_deadline = options.resolve_deadline;
    context.network = options.network;

    std::vector<std::future<std::vector<Finding>>> running;
    for (const auto& check : k_checks) {
        running.push_back(std::async(std::launch::async, check.run, std::cref(context)));
    }
    for (std::size_t i = 0; i < running.size(); ++i) {
        try {
            auto found = running[i].get();
            result.findings.insert(result.findings.end(), std::make_move_iterator(found.begin()),
                                   std::make_move_iterator(found.end()));
        } catch (const std::exception& e) {
            result.findings.push_back(check_failed(k_checks[i].name, e.what()));
        }
    }
    return result;
}

} // namespace golaunch
