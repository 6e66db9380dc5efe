#include "instance/process_stop.hpp"

#include "platform/killed_exit_code.hpp"
#include "platform/port_owners.hpp"

#include <windows.h>

namespace golaunch {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds k_after_kill{2000};

// True while `target` (same pid and start time) exists.
bool same_process_alive(const ProcessInfo& target) {
    const auto now = read_process_info(target.pid);
    return now && now->state != 'Z' && now->start_ticks == target.start_ticks;
}

} // namespace

// Windows cannot ask a process of another console to stop (CTRL_BREAK reaches only our own
// console's groups, WM_CLOSE only windows), so the stale instance is ended with TerminateProcess,
// and only that pid: a golaunch's services live in its kill-on-close jobs and end with it, and
// a process tree by parent pid is not a safe thing to guess on Windows (pids are reused and
// parents are not re-pointed). `whole_group` and `grace` therefore change nothing here.
StopOutcome stop_process(const ProcessInfo& target, bool, std::chrono::milliseconds) {
    StopOutcome outcome;
    const std::string who = describe_owner(target);
    if (!same_process_alive(target)) {
        outcome.stopped = true;
        outcome.text = "pid " + std::to_string(target.pid) + " had already exited";
        return outcome;
    }
    const auto start = Clock::now();
    HANDLE process =
        ::OpenProcess(PROCESS_TERMINATE | SYNCHRONIZE, FALSE, static_cast<DWORD>(target.pid));
    if (process == nullptr) {
        outcome.text = "could not stop " + who + " (OpenProcess failed with error " +
                       std::to_string(::GetLastError()) + ")";
        return outcome;
    }
    outcome.killed = true; // there is no gentler way (see above)
    const bool terminated = ::TerminateProcess(process, k_killed_exit_code) != 0;
    const DWORD error = terminated ? 0 : ::GetLastError();
    const bool ended =
        ::WaitForSingleObject(process, static_cast<DWORD>(k_after_kill.count())) == WAIT_OBJECT_0;
    ::CloseHandle(process);
    outcome.stopped = ended || !same_process_alive(target);
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    if (!outcome.stopped) {
        outcome.text =
            "could not stop " + who +
            (terminated ? " (still running after TerminateProcess)"
                        : " (TerminateProcess failed with error " + std::to_string(error) + ")");
    } else {
        outcome.text =
            "stopped " + who + " with TerminateProcess in " + std::to_string(took) + "ms";
    }
    return outcome;
}

} // namespace golaunch
