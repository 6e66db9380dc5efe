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
#include <array>
#include <functional>
#include <future>
#include <set>

namespace golaunch {

namespace {

using Check = std::vector<Finding> (*)(const CheckContext&);
using MayWait = bool (*)(const CheckContext&);

struct NamedCheck {
    const char* name;
    Check run;
    // Whether the check may wait on something outside (DNS, a process, a netlink dump) with
    // this context: it then runs on a thread of its own while the others run one after
    // another on the calling thread. nullptr: never. A thread costs ~0.3 ms to start on the
    // 2-core VM, more than most checks take (all of them on threads: 3.4 ms; this way 2.2 ms).
    MayWait may_wait = nullptr;
};

bool resolves_names(const CheckContext& context) {
    return context.network;
}

bool has_endpoints(const CheckContext& context) {
    return !context.endpoints.empty();
}

bool has_go_services(const CheckContext& context) {
    const auto services = selected_services(context);
    return std::any_of(services.begin(), services.end(),
                       [](const ServiceSpec* service) { return !service->go_package.empty(); });
}

// Fixed order: findings come out in this order whatever finishes first. (The casts pick the
// one-argument overload where a check also has a testing overload.)
const NamedCheck k_checks[] = {
    {"port rules", static_cast<Check>(&check_port_rules)},
    {"ipv6", static_cast<Check>(&check_ipv6)},
    {"hosts", static_cast<Check>(&check_hosts), &resolves_names},
    {"firewall", static_cast<Check>(&check_firewall), &has_endpoints},
    {"go toolchain", static_cast<Check>(&check_go_toolchain), &has_go_services},
    {"go packages", &check_go_packages, &has_go_services},
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

    // The checks that may wait start first, each on its own thread; the rest run here
    // meanwhile. Findings are then gathered in k_checks order.
    constexpr std::size_t count = std::size(k_checks);
    std::array<std::future<std::vector<Finding>>, count> running;
    for (std::size_t i = 0; i < count; ++i) {
        if (k_checks[i].may_wait && k_checks[i].may_wait(context)) {
            running[i] = std::async(std::launch::async, k_checks[i].run, std::cref(context));
        }
    }
    std::array<std::vector<Finding>, count> found;
    const auto gather = [&](std::size_t i, const std::function<std::vector<Finding>()>& run) {
        try {
            found[i] = run();
        } catch (const std::exception& e) {
            found[i] = {check_failed(k_checks[i].name, e.what())};
        }
    };
    for (std::size_t i = 0; i < count; ++i) {
        if (!running[i].valid()) {
            gather(i, [&] { return k_checks[i].run(context); });
        }
    }
    for (std::size_t i = 0; i < count; ++i) {
        if (running[i].valid()) {
            gather(i, [&] { return running[i].get(); });
        }
        result.findings.insert(result.findings.end(), std::make_move_iterator(found[i].begin()),
                               std::make_move_iterator(found[i].end()));
    }
    return result;
}

} // namespace golaunch
