// Process facts from /proc. The socket-owner scan is the hot path of `golaunch who`: raw
// getdents64 + readlinkat relative to directory fds, no per-process file reads until a
// process is known to own one of the sockets, newest processes and small fd tables first,
// big dense tables probed by fd number, and an early stop once every inode is found.
#include "platform/process_info.hpp"

#include "util/unique_fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <string_view>

namespace golaunch {

namespace {

constexpr std::size_t k_dirent_buffer = 16384;
constexpr std::size_t k_big_fd_table = 256; // read after all smaller fd tables

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

// Every numeric entry of /proc, i.e. every thread group.
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

// Reads a whole (small) /proc file relative to `dir_fd`. False when it cannot be opened.
bool read_file_at(int dir_fd, const char* name, std::string& out, std::size_t limit = 1u << 22) {
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

std::chrono::system_clock::time_point start_time_from_ticks(std::uint64_t ticks) {
    static const long ticks_per_second = std::max(1L, ::sysconf(_SC_CLK_TCK));
    const auto since_boot = std::chrono::milliseconds(
        static_cast<std::int64_t>(ticks * 1000 / static_cast<std::uint64_t>(ticks_per_second)));
    return std::chrono::system_clock::time_point(std::chrono::seconds(boot_time_seconds())) +
           since_boot;
}

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
    if (!read_file_at(dir_fd, "environ", environ)) {
        return;
    }
    const std::string_view service_prefix = "GOLAUNCH_SERVICE=";
    const std::string_view pid_prefix = "GOLAUNCH_PID=";
    std::string_view rest(environ);
    while (!rest.empty()) {
        const auto end = rest.find('\0');
        const std::string_view entry = rest.substr(0, end);
        if (entry.substr(0, service_prefix.size()) == service_prefix) {
            info.golaunch_service = std::string(entry.substr(service_prefix.size()));
        } else if (entry.substr(0, pid_prefix.size()) == pid_prefix) {
            if (!parse_number(entry.substr(pid_prefix.size()), info.golaunch_pid)) {
                info.golaunch_pid = 0;
            }
        }
        if (end == std::string_view::npos) {
            break;
        }
        rest = rest.substr(end + 1);
    }
}

std::uint32_t real_uid(int dir_fd) {
    std::string status;
    if (!read_file_at(dir_fd, "status", status, 1u << 16)) {
        return 0;
    }
    const auto at = status.find("\nUid:");
    if (at == std::string::npos) {
        return 0;
    }
    const auto start = status.find_first_not_of(" \t", at + 5);
    const auto end = status.find_first_of(" \t\n", start);
    std::uint32_t uid = 0;
    if (start != std::string::npos) {
        parse_number(std::string_view(status).substr(start, end - start), uid);
    }
    return uid;
}

// Parses "socket:[12345]"; 0 for anything else.
std::uint64_t socket_inode(const char* link, ssize_t length) {
    constexpr std::string_view prefix = "socket:[";
    if (length <= static_cast<ssize_t>(prefix.size()) + 1 || link[length - 1] != ']' ||
        std::memcmp(link, prefix.data(), prefix.size()) != 0) {
        return 0;
    }
    std::uint64_t inode = 0;
    const char* first = link + prefix.size();
    const auto [end, error] = std::from_chars(first, link + length - 1, inode);
    return error == std::errc() && end == link + length - 1 ? inode : 0;
}

// Finds which processes hold some socket inodes by reading their fd tables.
class OwnerScan {
  public:
    OwnerScan(int proc_fd, const std::set<std::uint64_t>& wanted, bool stop_when_done)
        : m_proc_fd(proc_fd), m_wanted(wanted), m_remaining(wanted.size()),
          m_stop_when_done(stop_when_done) {}

    enum class Opened { ok, denied, gone };

    // Opens /proc/PID/fd; `fd_count` receives the number of open fds (0 when the kernel does
    // not say: before Linux 6.2).
    Opened open(pid_t pid, UniqueFd& fd_dir, std::size_t& fd_count) const {
        char path[32];
        std::snprintf(path, sizeof path, "%d/fd", static_cast<int>(pid));
        fd_dir.reset(::openat(m_proc_fd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!fd_dir.valid()) {
            return errno == EACCES || errno == EPERM ? Opened::denied : Opened::gone;
        }
        struct stat info {};
        fd_count = ::fstat(fd_dir.get(), &info) == 0 ? static_cast<std::size_t>(info.st_size) : 0;
        return Opened::ok;
    }

    // Reads the fd table of `pid`. Dense tables (the common case for big ones) are probed by
    // number, which skips the costly getdents of /proc/PID/fd; sparse ones are listed.
    void scan(pid_t pid, int fd_dir, std::size_t fd_count) {
        if (fd_count >= k_probe_threshold && probe_by_number(pid, fd_dir, fd_count)) {
            return;
        }
        for_each_entry(fd_dir, [&](const char* name) { return check(pid, fd_dir, name); });
    }

    bool done() const { return m_stop_when_done && m_remaining == 0; }
    std::map<std::uint64_t, std::vector<pid_t>>& owners() { return m_owners; }

  private:
    static constexpr std::size_t k_probe_threshold = 64;
    static constexpr std::size_t k_max_misses = 16;

    // False when the table turned out sparse (the caller lists it instead).
    bool probe_by_number(pid_t pid, int fd_dir, std::size_t fd_count) {
        std::size_t seen = 0;
        std::size_t misses = 0;
        char name[16];
        for (int fd = 0; seen < fd_count && !done(); ++fd) {
            const auto end = std::to_chars(name, name + sizeof name - 1, fd).ptr;
            *end = '\0';
            char link[64];
            const ssize_t length = ::readlinkat(fd_dir, name, link, sizeof link);
            if (length < 0) {
                if (++misses > k_max_misses) {
                    return false;
                }
                continue;
            }
            ++seen;
            record(pid, link, length);
        }
        return true;
    }

    bool check(pid_t pid, int fd_dir, const char* name) {
        char link[64];
        const ssize_t length = ::readlinkat(fd_dir, name, link, sizeof link);
        if (length > 0) {
            record(pid, link, length);
        }
        return !done();
    }

    void record(pid_t pid, const char* link, ssize_t length) {
        if (link[0] != 's') {
            return;
        }
        const std::uint64_t inode = socket_inode(link, length);
        if (inode == 0 || !m_wanted.contains(inode)) {
            return;
        }
        auto& pids = m_owners[inode];
        if (std::find(pids.begin(), pids.end(), pid) != pids.end()) {
            return;
        }
        if (pids.empty()) {
            --m_remaining;
        }
        pids.push_back(pid);
    }

    int m_proc_fd;
    const std::set<std::uint64_t>& m_wanted;
    std::size_t m_remaining;
    bool m_stop_when_done;
    std::map<std::uint64_t, std::vector<pid_t>> m_owners;
};

// Which of `wanted` the process `pid` holds (all of its fds are read).
std::set<std::uint64_t> held_by(int proc_fd, pid_t pid, const std::set<std::uint64_t>& wanted) {
    OwnerScan scan(proc_fd, wanted, false);
    UniqueFd fd_dir;
    std::size_t fd_count = 0;
    std::set<std::uint64_t> held;
    if (scan.open(pid, fd_dir, fd_count) == OwnerScan::Opened::ok) {
        scan.scan(pid, fd_dir.get(), fd_count);
        for (const auto& [inode, pids] : scan.owners()) {
            held.insert(inode);
        }
    }
    return held;
}

// A socket shared after fork (a pre-fork server's master and workers) is found first in the
// newest process; its ancestors may hold it too. Checks the parents of each owner, upward,
// while they hold one of the same sockets. Costs one fd-table scan per owner.
void add_owning_ancestors(int proc_fd, std::map<std::uint64_t, std::vector<pid_t>>& owners) {
    std::map<pid_t, std::set<std::uint64_t>> by_pid;
    for (const auto& [inode, pids] : owners) {
        for (const pid_t pid : pids) {
            by_pid[pid].insert(inode);
        }
    }
    std::set<pid_t> checked;
    for (const auto& [pid, inodes] : by_pid) {
        pid_t child = pid;
        std::set<std::uint64_t> wanted = inodes;
        for (int depth = 0; depth < 16 && !wanted.empty(); ++depth) {
            const auto stat = read_stat_at(proc_fd, child);
            if (!stat || stat->ppid <= 1 || !checked.insert(stat->ppid).second) {
                break;
            }
            wanted = held_by(proc_fd, stat->ppid, wanted);
            for (const std::uint64_t inode : wanted) {
                auto& list = owners[inode];
                if (std::find(list.begin(), list.end(), stat->ppid) == list.end()) {
                    list.push_back(stat->ppid);
                }
            }
            child = stat->ppid;
        }
    }
}

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
    if (!read_file_at(dir.get(), "stat", text, 4096)) {
        return std::nullopt;
    }
    const auto stat = parse_stat(text);
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
    info.start_time = start_time_from_ticks(stat->start_ticks);

    char exe[4096];
    const ssize_t length = ::readlinkat(dir.get(), "exe", exe, sizeof exe);
    if (length > 0 && static_cast<std::size_t>(length) < sizeof exe) {
        info.exe.assign(exe, static_cast<std::size_t>(length));
    }
    if (read_file_at(dir.get(), "cmdline", text)) {
        info.cmdline = split_nul(text);
    }
    info.uid = real_uid(dir.get());
    info.user = user_name(info.uid);
    read_golaunch_mark(dir.get(), info);
    return info;
}

std::map<std::uint64_t, std::vector<pid_t>>
find_socket_owners(const std::set<std::uint64_t>& inodes, int* denied) {
    std::set<std::uint64_t> wanted = inodes;
    wanted.erase(0); // TIME-WAIT and other orphans have no inode and no owner
    if (wanted.empty()) {
        return {};
    }
    const UniqueFd proc = open_proc();
    if (!proc.valid()) {
        return {};
    }
    std::vector<pid_t> pids = list_pids(proc.get());
    // Newest first: the dev server someone just started is likelier than an old daemon. Big
    // fd tables (browsers, IDEs, databases) wait until every small one has been read.
    std::sort(pids.begin(), pids.end(), std::greater<>());
    OwnerScan scan(proc.get(), wanted, true);
    std::vector<std::pair<std::size_t, pid_t>> big;
    for (const pid_t pid : pids) {
        UniqueFd fd_dir;
        std::size_t fd_count = 0;
        const auto opened = scan.open(pid, fd_dir, fd_count);
        if (opened == OwnerScan::Opened::denied && denied) {
            ++*denied;
        }
        if (opened != OwnerScan::Opened::ok) {
            continue;
        }
        if (fd_count > k_big_fd_table) {
            big.emplace_back(fd_count, pid);
            continue;
        }
        scan.scan(pid, fd_dir.get(), fd_count);
        if (scan.done()) {
            break;
        }
    }
    std::sort(big.begin(), big.end());
    for (const auto& [count, pid] : big) {
        if (scan.done()) {
            break;
        }
        UniqueFd fd_dir;
        std::size_t fd_count = 0;
        if (scan.open(pid, fd_dir, fd_count) == OwnerScan::Opened::ok) {
            scan.scan(pid, fd_dir.get(), fd_count);
        }
    }
    auto owners = std::move(scan.owners());
    add_owning_ancestors(proc.get(), owners);
    return owners;
}

std::vector<pid_t> descendants_of(pid_t root) {
    std::multimap<pid_t, pid_t> children;
    std::set<pid_t> live;
    for_each_stat([&](pid_t pid, const ProcStat& stat) {
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

std::vector<pid_t> members_of_process_group(pid_t pgid) {
    std::vector<pid_t> members;
    if (pgid <= 0) {
        return members;
    }
    for_each_stat([&](pid_t pid, const ProcStat& stat) {
        if (stat.pgrp == pgid && stat.state != 'Z') {
            members.push_back(pid);
        }
    });
    std::sort(members.begin(), members.end());
    return members;
}

bool process_alive(pid_t pid) {
    if (pid <= 0) {
        return false;
    }
    const UniqueFd proc = open_proc();
    if (!proc.valid()) {
        return false;
    }
    const auto stat = read_stat_at(proc.get(), pid);
    return stat && stat->state != 'Z';
}

} // namespace golaunch
