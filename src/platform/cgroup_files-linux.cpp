#include "platform/cgroup_files-linux.hpp"

#include "platform/proc_fs-linux.hpp"
#include "util/unique_fd.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace golaunch::cgroupfs {

namespace {

using namespace std::chrono_literals;

// Rounds of "read the list, signal the new pids": a service forking in a tight loop could
// otherwise keep this busy for ever. What escapes a round is still in the group.
constexpr int k_signal_rounds = 16;
constexpr auto k_kill_fallback_time = 1000ms;

std::vector<int> parse_pids(std::string_view text) {
    std::vector<int> pids;
    while (!text.empty()) {
        const auto end = text.find('\n');
        int pid = 0;
        if (procfs::parse_number(text.substr(0, end), pid) && pid > 0) {
            pids.push_back(pid);
        }
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    }
    return pids;
}

} // namespace

bool read_text(const std::string& path, std::string& out) {
    return procfs::read_file_at(AT_FDCWD, path.c_str(), out);
}

bool write_text(const std::string& path, std::string_view text) {
    const UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) {
        return false;
    }
    const ssize_t n = ::write(fd.get(), text.data(), text.size());
    return n == static_cast<ssize_t>(text.size());
}

std::vector<int> read_pids(const std::string& dir) {
    std::string text;
    return read_text(dir + "/cgroup.procs", text) ? parse_pids(text) : std::vector<int>{};
}

bool populated(const std::string& dir) {
    std::string text;
    if (!read_text(dir + "/cgroup.events", text)) {
        return false;
    }
    const auto at = text.find("populated ");
    return at != std::string::npos && at + 10 < text.size() && text[at + 10] == '1';
}

std::vector<int> signal_pids(const std::string& dir, int sig) {
    std::vector<int> signalled;
    for (int round = 0; round < k_signal_rounds; ++round) {
        bool fresh = false;
        for (const int pid : read_pids(dir)) {
            if (std::find(signalled.begin(), signalled.end(), pid) == signalled.end()) {
                ::kill(pid, sig);
                signalled.push_back(pid);
                fresh = true;
            }
        }
        if (!fresh) {
            break;
        }
    }
    return signalled;
}

bool kill_group(const std::string& dir, bool has_kill) {
    if (has_kill && write_text(dir + "/cgroup.kill", "1")) {
        return wait_unpopulated(dir, k_kill_fallback_time);
    }
    // No cgroup.kill: a process that forks between our read of cgroup.procs and its SIGKILL
    // leaves a child we have not seen; the next round finds it.
    const auto deadline = std::chrono::steady_clock::now() + k_kill_fallback_time;
    while (populated(dir) && std::chrono::steady_clock::now() < deadline) {
        for (const int pid : read_pids(dir)) {
            ::kill(pid, SIGKILL);
        }
        wait_unpopulated(dir, 10ms);
    }
    return !populated(dir);
}

bool wait_unpopulated(const std::string& dir, std::chrono::milliseconds timeout) {
    const UniqueFd inotify(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    const std::string events = dir + "/cgroup.events";
    const bool watching =
        inotify.valid() && ::inotify_add_watch(inotify.get(), events.c_str(), IN_MODIFY) >= 0;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (populated(dir)) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left <= 0ms) {
            return false;
        }
        if (!watching) { // cannot happen while the file exists; stay bounded anyway
            std::this_thread::sleep_for(std::min<std::chrono::milliseconds>(left, 10ms));
            continue;
        }
        pollfd ready{inotify.get(), POLLIN, 0};
        if (::poll(&ready, 1, static_cast<int>(left.count())) > 0) {
            alignas(inotify_event) char drain[1024];
            while (::read(inotify.get(), drain, sizeof drain) > 0) {
            }
        }
    }
    return true;
}

bool remove_group(const std::string& dir, std::chrono::milliseconds wait) {
    if (::access(dir.c_str(), F_OK) != 0 && errno == ENOENT) {
        return true;
    }
    if (!wait_unpopulated(dir, wait)) {
        return false;
    }
    // The kernel may count an exiting process a moment after "populated 0" was read: EBUSY.
    for (int attempt = 0; attempt < 20; ++attempt) {
        if (::rmdir(dir.c_str()) == 0 || errno == ENOENT) {
            return true;
        }
        if (errno != EBUSY) {
            return false;
        }
        std::this_thread::sleep_for(5ms);
    }
    return false;
}

std::vector<std::string> child_dirs(const std::string& dir, std::string_view prefix) {
    std::vector<std::string> names;
    const UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!fd.valid()) {
        return names;
    }
    procfs::for_each_entry(fd.get(), [&](const char* name) {
        const std::string_view view(name);
        if (view.substr(0, prefix.size()) == prefix) {
            names.emplace_back(view);
        }
        return true;
    });
    // Only directories are groups (the interface files never start with our prefixes, but
    // stay exact).
    std::erase_if(names, [&](const std::string& name) {
        const std::string path = dir + "/" + name;
        return ::access((path + "/cgroup.procs").c_str(), F_OK) != 0;
    });
    std::sort(names.begin(), names.end());
    return names;
}

} // namespace golaunch::cgroupfs
