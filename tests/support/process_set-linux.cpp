// The marked-process helpers of ProcessSet: a /proc scan for golaunch's mark, and SIGKILL for the
// clean-up of a failed test (Linux; the Windows tests do not use them).
#include "support/process_set.hpp"

#include "platform/process_info.hpp"

#include <signal.h>

#include <filesystem>
#include <string>

namespace golaunch::test {

namespace {

std::vector<pid_t> marked_by(pid_t golaunch_pid) {
    std::vector<pid_t> found;
    if (golaunch_pid <= 0) {
        return found; // 0 is "unmarked": every process golaunch did not start
    }
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator("/proc", ignored)) {
        const std::string name = entry.path().filename().string();
        if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) {
            continue;
        }
        const auto pid = static_cast<pid_t>(std::stol(name));
        const auto info = read_process_info(pid);
        if (info && info->state != 'Z' && info->golaunch_pid == golaunch_pid) {
            found.push_back(pid);
        }
    }
    return found;
}

} // namespace

void ProcessSet::add_marked(pid_t golaunch_pid) {
    for (const pid_t pid : marked_by(golaunch_pid)) {
        add(pid);
    }
}

int kill_marked(pid_t golaunch_pid) {
    int killed = 0;
    for (const pid_t pid : marked_by(golaunch_pid)) {
        killed += ::kill(pid, SIGKILL) == 0 ? 1 : 0;
    }
    return killed;
}

} // namespace golaunch::test
