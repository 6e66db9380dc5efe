// Which processes hold a socket. The socket-owner scan is the hot path of `golaunch who`: raw
// getdents64 + readlinkat relative to directory fds, no per-process file reads until a
// process is known to own one of the sockets, newest processes and small fd tables first,
// big tables binary-searched by inode first and read (probed by fd number) last, and an early
// stop once every inode is found.
#include "platform/process_info.hpp"

#include "platform/proc_fs-linux.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string_view>
#include <system_error>
#include <utility>

namespace golaunch {

namespace {

constexpr std::size_t k_big_fd_table = 256; // read after all smaller fd tables

// Parses "<prefix>12345]" ("socket:[", "pipe:["); 0 for anything else.
std::uint64_t bracketed_inode(const char* link, ssize_t length, std::string_view prefix) {
    if (length <= static_cast<ssize_t>(prefix.size()) + 1 || link[length - 1] != ']' ||
        std::memcmp(link, prefix.data(), prefix.size()) != 0) {
        return 0;
    }
    std::uint64_t inode = 0;
    const char* first = link + prefix.size();
    const auto [end, error] = std::from_chars(first, link + length - 1, inode);
    return error == std::errc() && end == link + length - 1 ? inode : 0;
}

std::uint64_t socket_inode(const char* link, ssize_t length) {
    return bracketed_inode(link, length, "socket:[");
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
        procfs::for_each_entry(fd_dir, [&](const char* name) { return check(pid, fd_dir, name); });
    }

    // Searches a big table for the wanted inodes, without reading it. Socket and pipe inode
    // numbers come from one kernel counter that only grows, and fds are numbered lowest-free,
    // so in a table that grew by opening, a higher fd holds a newer (higher) inode: a binary
    // search over the fd numbers finds a socket in ~2 log2(n) readlinks. Where that order does
    // not hold (fds closed and reused), the search misses, bounded, and the table is read in
    // full later. What it reads is recorded as the full read would. With many inodes wanted
    // (a check of many ports) the searches share a budget of a quarter of the table, so they
    // never cost more than the read they try to spare.
    void search(pid_t pid, int fd_dir, std::size_t fd_count) {
        std::size_t budget = fd_count / 4;
        for (const std::uint64_t inode : m_wanted) {
            if (done() || budget == 0) {
                return;
            }
            if (m_owners.contains(inode)) {
                continue;
            }
            int low = 0;
            int high = static_cast<int>(fd_count + k_max_misses); // exclusive
            for (std::size_t reads = 0; low < high && reads < k_max_search_reads && budget > 0;) {
                const int middle = low + (high - low) / 2;
                std::uint64_t found = 0;
                int at = middle;
                for (; at < high && at < middle + k_neighbours && found == 0 && budget > 0;
                     ++at, ++reads, --budget) {
                    found = numbered_inode(pid, fd_dir, at);
                }
                if (found == 0) {
                    high = middle; // nothing comparable from the middle up: look lower
                } else if (found == inode || m_owners.contains(inode)) {
                    break;
                } else if (found < inode) {
                    low = at;
                } else {
                    high = middle;
                }
            }
        }
    }

    bool done() const { return m_stop_when_done && m_remaining == 0; }
    std::map<std::uint64_t, std::vector<pid_t>>& owners() { return m_owners; }

  private:
    static constexpr std::size_t k_probe_threshold = 64;
    static constexpr std::size_t k_max_misses = 16;
    static constexpr std::size_t k_max_search_reads = 64; // per inode and table
    static constexpr int k_neighbours = 4; // fds tried upward from a middle that is no socket

    // Reads fd `fd` of `pid` (recording it); the number of a "socket:[N]" or "pipe:[N]" link,
    // 0 for anything else or no such fd.
    std::uint64_t numbered_inode(pid_t pid, int fd_dir, int fd) {
        char name[16];
        const auto end = std::to_chars(name, name + sizeof name - 1, fd).ptr;
        *end = '\0';
        char link[64];
        const ssize_t length = ::readlinkat(fd_dir, name, link, sizeof link);
        if (length <= 0) {
            return 0;
        }
        record(pid, link, length);
        return link[0] == 's' ? socket_inode(link, length)
                              : bracketed_inode(link, length, "pipe:[");
    }

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
            const auto stat = procfs::read_stat_at(proc_fd, child);
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

} // namespace

std::map<std::uint64_t, std::vector<pid_t>>
find_socket_owners(const std::set<std::uint64_t>& inodes, int* denied) {
    std::set<std::uint64_t> wanted = inodes;
    wanted.erase(0); // TIME-WAIT and other orphans have no inode and no owner
    if (wanted.empty()) {
        return {};
    }
    const UniqueFd proc = procfs::open_proc();
    if (!proc.valid()) {
        return {};
    }
    std::vector<pid_t> pids = procfs::list_pids(proc.get());
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
            scan.search(pid, fd_dir.get(), fd_count); // a few reads; the full one comes last
            if (scan.done()) {
                break;
            }
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

} // namespace golaunch
