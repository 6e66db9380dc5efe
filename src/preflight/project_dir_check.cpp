#include "preflight/project_dir_check.hpp"

#include "instance/instance_lock.hpp"
#include "instance/private_dir.hpp"

namespace golaunch {

std::vector<Finding> check_project_dir(const CheckContext& context) {
    const auto lock = instance_lock_path(context.manifest.root_dir);
    for (const auto& path : {lock.parent_path(), lock}) {
        const auto problem = write_problem(path);
        if (!problem) {
            continue;
        }
        Finding finding;
        finding.id = "project-dir-not-writable";
        finding.severity = Severity::error;
        finding.subject = context.manifest.root_dir.string();
        finding.message = "golaunch cannot keep its files in " + lock.parent_path().string() +
                          ": " + problem->path.string() + " is not writable (" + problem->reason +
                          ")";
        finding.remedy = "run golaunch as a user who may write " + problem->path.string() +
                         ", or give this user write access to it";
        return {finding};
    }
    return {};
}

} // namespace golaunch
