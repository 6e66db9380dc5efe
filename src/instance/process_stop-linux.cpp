#include "instance/process_stop.hpp"

#include "platform/port_owners.hpp"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

namespace golaunch {

namespace {

using Clock = std::chrono::steady_clock;

// How long a SIGKILLed process may take to be gone: seconds on a loaded machine.
constexpr std::chrono::milliseconds k_after_kill{5000};
constexpr std::chrono::milliseconds k_poll{5};

// True while `target` (same pid and start time) exists and is not a zombie.
bool same_process_alive(const ProcessInfo& target) {
    const auto now = read_process_info(target.pid);
    return now && now->state != 'Z' && now->start_ticks == target.start_ticks;
}

bool group_is_marked(const ProcessInfo& target) {
    if (target.pgid <= 1 || target.golaunch_pid <= 0) {
        return false;
    }
    for (const pid_t member : members_of_process_group(target.pgid)) {
        const auto info = read_process_info(member);
        if (info && info->golaunch_pid != target.golaunch_pid) {
            return false;
        }
    }
    return true;
}

bool gone(const ProcessInfo& target, bool group) {
    if (group) {
        return members_of_process_group(target.pgid).empty();
    }
    return !same_process_alive(target);
}

bool wait_gone(const ProcessInfo& target, bool group, std::chrono::milliseconds limit) {
    const auto deadline = Clock::now() + limit;
    while (Clock::now() < deadline) {
        if (gone(target, group)) {
            return true;
        }
        ::usleep(static_cast<useconds_t>(k_poll.count() * 1000));
    }
    return gone(target, group);
}

void send(const ProcessInfo& target, bool group, int signo) {
    if (group) {
        ::kill(-target.pgid, signo);
    } else if (same_process_alive(target)) {
        ::kill(target.pid, signo);
    }
}

} // namespace

StopOutcome stop_process(const ProcessInfo& target, bool whole_group,
                         std::chrono::milliseconds grace) {
    StopOutcome outcome;
    const std::string who = describe_owner(target);
    if (!same_process_alive(target)) {
        outcome.stopped = true;
        outcome.text = "pid " + std::to_string(target.pid) + " had already exited";
        return outcome;
    }
    outcome.signalled_group = whole_group && group_is_marked(target);
    const bool group = outcome.signalled_group;
    const auto start = Clock::now();
    send(target, group, SIGTERM);
    if (!wait_gone(target, group, grace)) {
        outcome.killed = true;
        send(target, group, SIGKILL);
        wait_gone(target, group, k_after_kill);
    }
    outcome.stopped = !same_process_alive(target);
    const auto took =
        std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
    const std::string target_text =
        group ? "process group " + std::to_string(target.pgid) + " of " + who : who;
    if (!outcome.stopped) {
        outcome.text = "could not stop " + target_text + " (still running after SIGKILL)";
    } else if (outcome.killed) {
        outcome.text = "stopped " + target_text + " with SIGKILL after " +
                       std::to_string(grace.count()) + "ms of SIGTERM";
    } else {
        outcome.text = "stopped " + target_text + " with SIGTERM in " + std::to_string(took) + "ms";
    }
    return outcome;
}

} // namespace golaunch
