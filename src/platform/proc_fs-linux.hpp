// Low-level /proc helpers (Linux-only, internal to src/platform).
#pragma once

#include "util/unique_fd.hpp"

#include <dirent.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace golaunch::procfs {

inline constexpr std::size_t k_dirent_buffer = 16384;

// Calls `visit(name)` for every entry of the directory `fd` (except "." and ".."), until
// `visit` returns false. Returns false when stopped early.
template <typename Visit> bool for_each_entry(int fd, Visit&& visit) {
    alignas(8) char buffer[k_dirent_buffer];
    while (true) {
        const long count = ::syscall(SYS_getdents64, fd, buffer, sizeof buffer);
        if (count <= 0) {
            return true;
        }
        for (long offset = 0; offset < count;) {
            const auto* entry = reinterpret_cast<const dirent64*>(buffer + offset);
            offset += entry->d_reclen;
            const char* name = entry->d_name;
            if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0'))) {
                continue;
            }
            if (!visit(name)) {
                return false;
            }
        }
    }
}

template <typename Number> bool parse_number(std::string_view text, Number& out) {
    if (text.empty()) {
        return false;
    }
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
    return error == std::errc() && end == text.data() + text.size();
}

// The pid named by a /proc entry; 0 when the name is not a pid.
pid_t pid_from_name(const char* name);

UniqueFd open_proc();

// Every numeric entry of /proc, i.e. every thread group.
std::vector<pid_t> list_pids(int proc_fd);

// Reads a whole (small) /proc file relative to `dir_fd`. False when it cannot be opened.
bool read_file_at(int dir_fd, const char* name, std::string& out, std::size_t limit = 1u << 22);

struct ProcStat {
    std::string comm;
    char state = '?';
    pid_t ppid = 0;
    pid_t pgrp = 0;
    std::uint64_t start_ticks = 0;
};

// "PID (COMM) S PPID PGRP SESSION TTY TPGID FLAGS MINFLT CMINFLT MAJFLT CMAJFLT UTIME STIME
//  CUTIME CSTIME PRIORITY NICE THREADS ITREALVALUE STARTTIME ...". COMM may hold spaces and
// ')', so the fields start after the last ')'.
std::optional<ProcStat> parse_stat(std::string_view text);

std::optional<ProcStat> read_stat_at(int proc_fd, pid_t pid);

// Wall-clock time of a process start given in clock ticks since boot (btime of /proc/stat).
std::chrono::system_clock::time_point start_time_from_ticks(std::uint64_t ticks);

// Calls `visit(pid, stat)` for every process whose /proc/PID/stat could be read.
template <typename Visit> void for_each_stat(Visit&& visit) {
    const UniqueFd proc = open_proc();
    if (!proc.valid()) {
        return;
    }
    for (const pid_t pid : list_pids(proc.get())) {
        if (const auto stat = read_stat_at(proc.get(), pid)) {
            visit(pid, *stat);
        }
    }
}

} // namespace golaunch::procfs
