// Low-level /proc helpers: directory listing, small-file reads, /proc/PID/stat, start times.
#include "platform/proc_fs-linux.hpp"

#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

namespace golaunch::procfs {

pid_t pid_from_name(const char* name) {
    pid_t pid = 0;
    if (name[0] < '1' || name[0] > '9' || !parse_number(std::string_view(name), pid)) {
        return 0;
    }
    return pid;
}

UniqueFd open_proc() {
    return UniqueFd(::open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
}

std::vector<pid_t> list_pids(int proc_fd) {
    std::vector<pid_t> pids;
    pids.reserve(512);
    for_each_entry(proc_fd, [&](const char* name) {
        if (const pid_t pid = pid_from_name(name); pid > 0) {
            pids.push_back(pid);
        }
        return true;
    });
    return pids;
}

bool read_file_at(int dir_fd, const char* name, std::string& out, std::size_t limit) {
    const UniqueFd fd(::openat(dir_fd, name, O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        return false;
    }
    out.clear();
    char buffer[4096];
    while (out.size() < limit) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return false;
        }
        if (n == 0) {
            break;
        }
        out.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

std::optional<ProcStat> parse_stat(std::string_view text) {
    const auto open = text.find('(');
    const auto close = text.rfind(')');
    if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
        return std::nullopt;
    }
    ProcStat stat;
    stat.comm = std::string(text.substr(open + 1, close - open - 1));
    std::string_view rest = text.substr(close + 1);
    // fields[0] is field 3 (state).
    std::string_view fields[20];
    int count = 0;
    while (count < 20) {
        const auto start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos) {
            break;
        }
        rest = rest.substr(start);
        const auto end = rest.find(' ');
        fields[count++] = rest.substr(0, end);
        if (end == std::string_view::npos) {
            break;
        }
        rest = rest.substr(end);
    }
    if (count < 20 || fields[0].size() != 1) {
        return std::nullopt;
    }
    stat.state = fields[0][0];
    if (!parse_number(fields[1], stat.ppid) || !parse_number(fields[2], stat.pgrp) ||
        !parse_number(fields[19], stat.start_ticks)) {
        return std::nullopt;
    }
    return stat;
}

std::optional<ProcStat> read_stat_at(int proc_fd, pid_t pid) {
    char path[32];
    std::snprintf(path, sizeof path, "%d/stat", static_cast<int>(pid));
    std::string text;
    if (!read_file_at(proc_fd, path, text, 4096)) {
        return std::nullopt;
    }
    return parse_stat(text);
}

namespace {

std::int64_t boot_time_seconds() {
    static const std::int64_t boot_time = [] {
        std::string text;
        const UniqueFd proc = open_proc();
        if (!proc.valid() || !read_file_at(proc.get(), "stat", text)) {
            return std::int64_t{0};
        }
        const auto at = text.find("\nbtime ");
        std::int64_t value = 0;
        if (at != std::string::npos) {
            const auto start = at + 7;
            const auto end = text.find('\n', start);
            parse_number(std::string_view(text).substr(start, end - start), value);
        }
        return value;
    }();
    return boot_time;
}

} // namespace

std::chrono::system_clock::time_point start_time_from_ticks(std::uint64_t ticks) {
    static const long ticks_per_second = std::max(1L, ::sysconf(_SC_CLK_TCK));
    const auto since_boot = std::chrono::milliseconds(
        static_cast<std::int64_t>(ticks * 1000 / static_cast<std::uint64_t>(ticks_per_second)));
    return std::chrono::system_clock::time_point(std::chrono::seconds(boot_time_seconds())) +
           since_boot;
}

} // namespace golaunch::procfs
