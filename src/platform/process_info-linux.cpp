// Process facts from /proc: exe, command line, user, start time, the golaunch mark, and the
// descendants and process-group members of a pid.
#include "platform/process_info.hpp"

#include "platform/proc_fs-linux.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <mutex>
#include <string_view>

namespace golaunch {

namespace {

std::string user_name(std::uint32_t uid) {
    static std::mutex mutex;
    static std::map<std::uint32_t, std::string> cache;
    const std::lock_guard lock(mutex);
    if (const auto found = cache.find(uid); found != cache.end()) {
        return found->second;
    }
    passwd entry{};
    passwd* result = nullptr;
    std::vector<char> buffer(16384);
    std::string name = std::to_string(uid);
    if (::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result) == 0 && result &&
        result->pw_name) {
        name = result->pw_name;
    }
    cache.emplace(uid, name);
    return name;
}

std::vector<std::string> split_nul(const std::string& text) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\0', start);
        if (end == std::string::npos) {
            end = text.size();
        }
        parts.emplace_back(text, start, end - start);
        start = end + 1;
    }
    return parts;
}

void read_golaunch_mark(int dir_fd, ProcessInfo& info) {
    std::string environ;
    if (!procfs::read_file_at(dir_fd, "environ", environ)) {
        return;
    }
    const std::string_view service_prefix = "GOLAUNCH_SERVICE=";
    const std::string_view pid_prefix = "GOLAUNCH_PID=";
    const std::string_view project_prefix = "GOLAUNCH_PROJECT=";
    std::string_view rest(environ);
    while (!rest.empty()) {
        const auto end = rest.find('\0');
        const std::string_view entry = rest.substr(0, end);
        if (entry.substr(0, service_prefix.size()) == service_prefix) {
            info.golaunch_service = std::string(entry.substr(service_prefix.size()));
        } else if (entry.substr(0, project_prefix.size()) == project_prefix) {
            info.golaunch_project = std::string(entry.substr(project_prefix.size()));
        } else if (entry.substr(0, pid_prefix.size()) == pid_prefix) {
            if (!procfs::parse_number(entry.substr(pid_prefix.size()), info.golaunch_pid)) {
                info.golaunch_pid = 0;
            }
        }
        if (end == std::string_view::npos) {
            break;
        }
        rest = rest.substr(end + 1);
    }
}

// The first number after "\n<key>" in /proc/PID/status (0 when missing).
std::uint32_t status_number(const std::string& status, std::string_view key) {
    const auto at = status.find("\n" + std::string(key));
    if (at == std::string::npos) {
        return 0;
    }
    const auto start = status.find_first_not_of(" \t", at + 1 + key.size());
    const auto end = status.find_first_of(" \t\n", start);
    std::uint32_t value = 0;
    if (start != std::string::npos) {
        procfs::parse_number(std::string_view(status).substr(start, end - start), value);
    }
    return value;
}

// The real uid and the NoNewPrivs flag.
void read_status_file(int dir_fd, ProcessInfo& info) {
    std::string status;
    if (!procfs::read_file_at(dir_fd, "status", status, 1u << 16)) {
        return;
    }
    info.uid = status_number(status, "Uid:");
    info.no_new_privs = status_number(status, "NoNewPrivs:") != 0;
}

} // namespace

std::optional<ProcessInfo> read_process_info(pid_t pid) {
    if (pid <= 0) {
        return std::nullopt;
    }
    char path[32];
    std::snprintf(path, sizeof path, "/proc/%d", static_cast<int>(pid));
    const UniqueFd dir(::open(path, O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!dir.valid()) {
        return std::nullopt;
    }
    std::string text;
    if (!procfs::read_file_at(dir.get(), "stat", text, 4096)) {
        return std::nullopt;
    }
    const auto stat = procfs::parse_stat(text);
    if (!stat) {
        return std::nullopt;
    }
    ProcessInfo info;
    info.pid = pid;
    info.ppid = stat->ppid;
    info.pgid = stat->pgrp;
    info.name = stat->comm;
    info.state = stat->state;
    info.start_ticks = stat->start_ticks;
    info.start_time = procfs::start_time_from_ticks(stat->start_ticks);

    char exe[4096];
    const ssize_t length = ::readlinkat(dir.get(), "exe", exe, sizeof exe);
    if (length > 0 && static_cast<std::size_t>(length) < sizeof exe) {
        info.exe.assign(exe, static_cast<std::size_t>(length));
    }
    if (procfs::read_file_at(dir.get(), "cmdline", text)) {
        info.cmdline = split_nul(text);
    }
    read_status_file(dir.get(), info);
    info.user = user_name(info.uid);
    read_golaunch_mark(dir.get(), info);
    return info;
}

std::vector<pid_t> descendants_of(pid_t root) {
    std::multimap<pid_t, pid_t> children;
    std::set<pid_t> live;
    procfs::for_each_stat([&](pid_t pid, const procfs::ProcStat& stat) {
        children.emplace(stat.ppid, pid);
        if (stat.state != 'Z') {
            live.insert(pid);
        }
    });
    std::vector<pid_t> result;
    std::vector<pid_t> pending{root};
    std::set<pid_t> seen{root};
    while (!pending.empty()) {
        const pid_t parent = pending.back();
        pending.pop_back();
        const auto [first, last] = children.equal_range(parent);
        for (auto it = first; it != last; ++it) {
            if (seen.insert(it->second).second) {
                pending.push_back(it->second);
                if (live.contains(it->second)) {
                    result.push_back(it->second);
                }
            }
        }
    }
    std::sort(result.begin(), result.end());
    return result;
}

std::vector<pid_t> zombie_children_of(pid_t parent) {
    std::vector<pid_t> zombies;
    procfs::for_each_stat([&](pid_t pid, const procfs::ProcStat& stat) {
        if (stat.ppid == parent && stat.state == 'Z') {
            zombies.push_back(pid);
        }
    });
    std::sort(zombies.begin(), zombies.end());
    return zombies;
}

std::vector<pid_t> members_of_process_group(pid_t pgid) {
    std::vector<pid_t> members;
    if (pgid <= 0) {
        return members;
    }
    procfs::for_each_stat([&](pid_t pid, const procfs::ProcStat& stat) {
        if (stat.pgrp == pgid && stat.state != 'Z') {
            members.push_back(pid);
        }
    });
    std::sort(members.begin(), members.end());
    return members;
}

bool process_group_alive(pid_t pgid) {
    return pgid > 1 && (::kill(-pgid, 0) == 0 || errno == EPERM);
}

bool process_alive(pid_t pid) {
    if (pid <= 0) {
        return false;
    }
    const UniqueFd proc = procfs::open_proc();
    if (!proc.valid()) {
        return false;
    }
    const auto stat = procfs::read_stat_at(proc.get(), pid);
    return stat && stat->state != 'Z';
}

std::string kill_command_text(const std::vector<pid_t>& pids) {
    std::string text = "kill";
    for (const pid_t pid : pids) {
        text += " " + std::to_string(pid);
    }
    return text;
}

} // namespace golaunch
