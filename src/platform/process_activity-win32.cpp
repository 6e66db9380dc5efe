// What Windows can show of a process tree without a debugger: the processes (Toolhelp32
// snapshot: pid, parent, image name), their thread ids, and the sockets the socket table
// attributes to them (by owner pid; under Wine every owner pid is 0, so none). Thread states,
// blocked system calls and kernel wait functions have no documented user-mode source on
// Windows: threads are reported with state '?' and syscall -1, and the diagnosis words
// (startup_diagnosis) say only what these facts support.
#include "platform/process_activity.hpp"

#include "util/wide_text.hpp"

#include <windows.h>

#include <tlhelp32.h>

#include <map>
#include <set>

namespace golaunch {

namespace {

constexpr std::size_t k_max_processes = 4096;

struct Snapshot {
    explicit Snapshot(DWORD flags) : handle(::CreateToolhelp32Snapshot(flags, 0)) {}
    ~Snapshot() {
        if (handle != INVALID_HANDLE_VALUE) {
            ::CloseHandle(handle);
        }
    }
    Snapshot(const Snapshot&) = delete;
    Snapshot& operator=(const Snapshot&) = delete;
    HANDLE handle;
};

struct ProcessEntry {
    pid_t ppid = 0;
    std::string name;
};

std::map<pid_t, ProcessEntry> all_processes() {
    std::map<pid_t, ProcessEntry> processes;
    const Snapshot snapshot(TH32CS_SNAPPROCESS);
    PROCESSENTRY32W entry{};
    entry.dwSize = sizeof entry;
    if (snapshot.handle == INVALID_HANDLE_VALUE || !::Process32FirstW(snapshot.handle, &entry)) {
        return processes;
    }
    do {
        processes[static_cast<pid_t>(entry.th32ProcessID)] =
            ProcessEntry{static_cast<pid_t>(entry.th32ParentProcessID), from_wide(entry.szExeFile)};
    } while (processes.size() < k_max_processes && ::Process32NextW(snapshot.handle, &entry));
    return processes;
}

// `root` and everything below it (a parent pid may be reused: each pid is visited once).
std::set<pid_t> tree_of(pid_t root, const std::map<pid_t, ProcessEntry>& processes) {
    std::set<pid_t> tree;
    if (processes.count(root) == 0) {
        return tree;
    }
    tree.insert(root);
    for (bool grew = true; grew;) {
        grew = false;
        for (const auto& [pid, entry] : processes) {
            if (tree.count(entry.ppid) != 0 && tree.insert(pid).second) {
                grew = true;
            }
        }
    }
    return tree;
}

std::map<pid_t, std::vector<ThreadActivity>> threads_of(const std::set<pid_t>& pids) {
    std::map<pid_t, std::vector<ThreadActivity>> threads;
    const Snapshot snapshot(TH32CS_SNAPTHREAD);
    THREADENTRY32 entry{};
    entry.dwSize = sizeof entry;
    if (snapshot.handle == INVALID_HANDLE_VALUE || !::Thread32First(snapshot.handle, &entry)) {
        return threads;
    }
    do {
        const auto owner = static_cast<pid_t>(entry.th32OwnerProcessID);
        if (pids.count(owner) != 0) {
            ThreadActivity thread;
            thread.tid = static_cast<pid_t>(entry.th32ThreadID);
            threads[owner].push_back(thread);
        }
    } while (::Thread32Next(snapshot.handle, &entry));
    return threads;
}

} // namespace

std::string syscall_name(long number) {
    return "syscall " + std::to_string(number);
}

bool syscall_takes_fd(long /*number*/) {
    return false;
}

// `pgid` is the root itself on Windows (CREATE_NEW_PROCESS_GROUP): the tree covers it.
std::vector<ProcessActivity> read_tree_activity(pid_t root, pid_t pgid, const SocketTable& table) {
    const auto processes = all_processes();
    std::set<pid_t> pids = tree_of(root, processes);
    if (pgid > 0 && pgid != root) {
        const auto group = tree_of(pgid, processes);
        pids.insert(group.begin(), group.end());
    }
    std::vector<ProcessActivity> result;
    auto threads = threads_of(pids);
    for (const pid_t pid : pids) {
        const auto& entry = processes.at(pid);
        ProcessActivity activity;
        activity.pid = pid;
        activity.ppid = entry.ppid;
        activity.name = entry.name;
        activity.threads = std::move(threads[pid]);
        result.push_back(std::move(activity));
    }
    if (result.empty()) {
        return result;
    }
    std::vector<SocketEntry> sockets;
    try {
        sockets = table.query(SocketQuery{});
    } catch (const std::exception&) {
        return result; // the diagnosis goes on without sockets
    }
    for (auto& activity : result) {
        for (const auto& socket : sockets) {
            if (socket.owner_pid != 0 && static_cast<pid_t>(socket.owner_pid) == activity.pid) {
                activity.sockets.push_back(socket);
            }
        }
    }
    return result;
}

} // namespace golaunch
