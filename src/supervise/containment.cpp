#include "supervise/containment.hpp"

#include "manifest/project_id.hpp"
#include "supervise/process_tree.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <cstdlib>

namespace golaunch {

RunContainment contain_run(const Manifest& manifest) {
    RunContainment containment;
    if (const char* off = std::getenv("GOLAUNCH_NO_CGROUPS"); off != nullptr && *off != '\0') {
        containment.fallback = "GOLAUNCH_NO_CGROUPS is set";
        return containment;
    }
    const auto support = probe_cgroups();
    if (!support.usable) {
        if (!trees_hold_all_descendants()) {
            containment.fallback = support.reason;
        }
        return containment;
    }
    try {
        containment.cgroups = std::make_unique<RunCgroup>(support, project_id(manifest.path));
    } catch (const Error& error) {
        containment.fallback = error.what();
    }
    return containment;
}

int stop_leftovers(const Manifest& manifest, std::chrono::milliseconds grace, Reporter& reporter) {
    const auto support = probe_cgroups();
    if (!support.usable) {
        return 0;
    }
    int stopped = 0;
    for (const auto& leftover : find_leftover_runs(support, project_id(manifest.path))) {
        const auto cleaned = clean_leftover_run(leftover, grace, support.has_kill);
        std::vector<std::string> parts;
        nlohmann::json services = nlohmann::json::array();
        int count = 0;
        for (const auto& service : cleaned.run.services) {
            std::vector<std::string> pids;
            for (const int pid : service.pids) {
                pids.push_back(std::to_string(pid));
            }
            count += static_cast<int>(service.pids.size());
            if (!service.pids.empty()) {
                parts.push_back(service.name + " (pid " + join(pids, ", ") + ")");
            }
            services.push_back({{"service", service.name}, {"pids", service.pids}});
        }
        stopped += count;
        reporter.event("leftover_stopped", "",
                       {{"golaunch_pid", cleaned.run.golaunch_pid},
                        {"cgroup", cleaned.run.dir},
                        {"services", services},
                        {"forced", cleaned.forced},
                        {"removed", cleaned.removed}},
                       "stopped " + std::to_string(count) + " process(es) that golaunch pid " +
                           std::to_string(cleaned.run.golaunch_pid) +
                           " of this project left running (it was killed together with its "
                           "orphan guard)" +
                           (parts.empty() ? "" : ": " + join(parts, "; ")) +
                           (cleaned.forced ? "; some needed cgroup.kill after the grace" : ""),
                       1);
    }
    return stopped;
}

} // namespace golaunch
