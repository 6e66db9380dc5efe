// Process facts on Windows: exe (QueryFullProcessImageNameW), command line
// (NtQueryInformationProcess ProcessCommandLineInformation, Windows 8.1+, else read from the
// PEB), start time
// (GetProcessTimes), user (OpenProcessToken + LookupAccountSidW), parent and children (a
// Toolhelp32 snapshot), the golaunch mark (its environment, read from its PEB). No uid.
// Pid 4 ("System") owns the sockets of http.sys, the kernel HTTP server, and is named so.
#include "platform/process_info.hpp"

#include "platform/process_environment-win32.hpp"
#include "util/unique_handle.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <shellapi.h>
#include <tlhelp32.h>
#include <winternl.h>

#include <algorithm>
#include <vector>

namespace golaunch {

namespace {

constexpr PROCESSINFOCLASS k_command_line_information = static_cast<PROCESSINFOCLASS>(60);
constexpr std::uint64_t k_filetime_unix_epoch = 116444736000000000ULL; // 1970 in 100 ns units

struct Snapshot {
    pid_t pid = 0;
    pid_t ppid = 0;
    std::string name;
};

std::vector<Snapshot> snapshot_processes() {
    std::vector<Snapshot> processes;
    const UniqueHandle snapshot(::CreateToolhelp32Snapshot(TH32CS_SNAPPROCESS, 0));
    if (!snapshot.valid()) {
        return processes;
    }
    PROCESSENTRY32W entry{};
    entry.dwSize = sizeof entry;
    for (BOOL more = ::Process32FirstW(snapshot.get(), &entry); more;
         more = ::Process32NextW(snapshot.get(), &entry)) {
        processes.push_back({static_cast<pid_t>(entry.th32ProcessID),
                             static_cast<pid_t>(entry.th32ParentProcessID),
                             from_wide(entry.szExeFile)});
    }
    return processes;
}

std::uint64_t filetime_value(const FILETIME& time) {
    return (std::uint64_t{time.dwHighDateTime} << 32) | time.dwLowDateTime;
}

std::chrono::system_clock::time_point system_time(std::uint64_t filetime) {
    const auto since_epoch = static_cast<std::int64_t>(filetime - k_filetime_unix_epoch);
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::duration<std::int64_t, std::ratio<1, 10'000'000>>(since_epoch)));
}

std::string image_path(HANDLE process) {
    std::wstring path(32768, L'\0');
    auto size = static_cast<DWORD>(path.size());
    if (!::QueryFullProcessImageNameW(process, 0, path.data(), &size)) {
        return "";
    }
    path.resize(size);
    return from_wide(path);
}

std::vector<std::string> split_command_line(const std::wstring& line) {
    std::vector<std::string> argv;
    if (line.empty()) {
        return argv;
    }
    int count = 0;
    wchar_t** parts = ::CommandLineToArgvW(line.c_str(), &count);
    if (parts == nullptr) {
        return {from_wide(line)};
    }
    for (int i = 0; i < count; ++i) {
        argv.push_back(from_wide(parts[i]));
    }
    ::LocalFree(parts);
    return argv;
}

// Windows 8.1 and later (not Wine 8): empty when unavailable.
std::vector<std::string> queried_command_line(HANDLE process) {
    std::vector<char> buffer(8192);
    for (int attempt = 0; attempt < 3; ++attempt) {
        ULONG needed = 0;
        const NTSTATUS status =
            ::NtQueryInformationProcess(process, k_command_line_information, buffer.data(),
                                        static_cast<ULONG>(buffer.size()), &needed);
        if (status >= 0) {
            const auto* text = reinterpret_cast<const UNICODE_STRING*>(buffer.data());
            if (text->Buffer == nullptr) {
                return {};
            }
            return split_command_line(std::wstring(text->Buffer, text->Length / sizeof(wchar_t)));
        }
        if (needed <= buffer.size()) {
            return {};
        }
        buffer.resize(needed);
    }
    return {};
}

// Empty when the process may not be read.
std::vector<std::string> command_line(HANDLE process) {
    auto argv = queried_command_line(process);
    if (argv.empty()) {
        if (const auto line = read_process_command_line(process)) {
            argv = split_command_line(*line);
        }
    }
    return argv;
}

std::string token_user(HANDLE process) {
    HANDLE raw = nullptr;
    if (!::OpenProcessToken(process, TOKEN_QUERY, &raw)) {
        return "";
    }
    const UniqueHandle token(raw);
    DWORD size = 0;
    ::GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
    std::vector<char> buffer(size > 0 ? size : 1);
    if (!::GetTokenInformation(token.get(), TokenUser, buffer.data(), size, &size)) {
        return "";
    }
    const auto* user = reinterpret_cast<const TOKEN_USER*>(buffer.data());
    wchar_t name[256];
    wchar_t domain[256];
    DWORD name_size = 256;
    DWORD domain_size = 256;
    SID_NAME_USE use{};
    if (!::LookupAccountSidW(nullptr, user->User.Sid, name, &name_size, domain, &domain_size,
                             &use)) {
        return "";
    }
    const std::string account = from_wide(name);
    return domain_size > 0 ? from_wide(domain) + "\\" + account : account;
}

bool still_running(HANDLE process) {
    DWORD code = 0;
    return ::GetExitCodeProcess(process, &code) && code == STILL_ACTIVE;
}

void read_golaunch_mark(HANDLE process, ProcessInfo& info) {
    const auto environment = read_process_environment(process);
    if (!environment) {
        return;
    }
    const std::string service_prefix = std::string(k_service_env) + "=";
    const std::string pid_prefix = std::string(k_instance_env) + "=";
    const std::string project_prefix = std::string(k_project_env) + "=";
    for (const auto& entry : *environment) {
        if (entry.rfind(service_prefix, 0) == 0) {
            info.golaunch_service = entry.substr(service_prefix.size());
        } else if (entry.rfind(project_prefix, 0) == 0) {
            info.golaunch_project = entry.substr(project_prefix.size());
        } else if (entry.rfind(pid_prefix, 0) == 0) {
            try {
                info.golaunch_pid = static_cast<pid_t>(std::stoll(entry.substr(pid_prefix.size())));
            } catch (const std::exception&) {
                info.golaunch_pid = 0;
            }
        }
    }
}

void read_handle_facts(HANDLE process, ProcessInfo& info) {
    info.exe = image_path(process);
    info.cmdline = command_line(process);
    info.user = token_user(process);
    read_golaunch_mark(process, info);
    FILETIME created{};
    FILETIME exited{};
    FILETIME kernel{};
    FILETIME user{};
    if (::GetProcessTimes(process, &created, &exited, &kernel, &user)) {
        info.start_ticks = filetime_value(created);
        info.start_time = system_time(info.start_ticks);
    }
}

std::uint64_t creation_time(pid_t pid) {
    const UniqueHandle process(
        ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid)));
    FILETIME created{};
    FILETIME unused[3]{};
    if (!process.valid() ||
        !::GetProcessTimes(process.get(), &created, &unused[0], &unused[1], &unused[2])) {
        return 0;
    }
    return filetime_value(created);
}

} // namespace

std::optional<ProcessInfo> read_process_info(pid_t pid) {
    if (pid <= 0) {
        return std::nullopt; // 0 is the System Idle Process: never an owner
    }
    ProcessInfo info;
    info.pid = pid;
    info.pgid = pid;
    info.state = 'R';
    bool listed = false;
    for (const auto& process : snapshot_processes()) {
        if (process.pid == pid) {
            info.ppid = process.ppid;
            info.name = process.name;
            listed = true;
        }
    }
    if (pid == k_windows_system_pid) {
        info.name = k_http_sys_owner;
        info.user = "SYSTEM";
        return info;
    }
    const UniqueHandle process(::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION | PROCESS_VM_READ,
                                             FALSE, static_cast<DWORD>(pid)));
    const UniqueHandle limited(process.valid() ? nullptr
                                               : ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION,
                                                               FALSE, static_cast<DWORD>(pid)));
    const HANDLE handle = process.valid() ? process.get() : limited.get();
    if (handle == nullptr) {
        return listed ? std::optional<ProcessInfo>(info) : std::nullopt; // exists, hidden
    }
    if (!still_running(handle)) {
        return std::nullopt;
    }
    read_handle_facts(handle, info);
    if (info.name.empty() && !info.exe.empty()) {
        info.name = info.exe.substr(info.exe.find_last_of("\\/") + 1);
    }
    if (info.user.empty()) {
        info.user = "?";
    }
    return info;
}

std::vector<pid_t> descendants_of(pid_t root) {
    const auto processes = snapshot_processes();
    std::vector<pid_t> result;
    std::vector<pid_t> pending{root};
    std::set<pid_t> seen{root};
    while (!pending.empty()) {
        const pid_t parent = pending.back();
        pending.pop_back();
        const std::uint64_t parent_created = creation_time(parent);
        for (const auto& process : processes) {
            if (process.ppid != parent || !seen.insert(process.pid).second) {
                continue;
            }
            // Windows reuses pids and keeps a dead parent's pid in its children: a "child"
            // created before its parent is an orphan whose parent pid was recycled.
            const std::uint64_t created = creation_time(process.pid);
            if (parent_created != 0 && created != 0 && created < parent_created) {
                continue;
            }
            pending.push_back(process.pid);
            result.push_back(process.pid);
        }
    }
    std::sort(result.begin(), result.end());
    return result;
}

std::vector<pid_t> zombie_children_of(pid_t /*parent*/) {
    return {}; // Windows has no zombies: an exited process is gone once its handles close
}

std::vector<pid_t> members_of_process_group(pid_t pgid) {
    // Windows cannot list a console process group; a group made with CREATE_NEW_PROCESS_GROUP
    // is its root and the descendants that did not make their own.
    std::vector<pid_t> members = descendants_of(pgid);
    if (process_alive(pgid)) {
        members.push_back(pgid);
    }
    std::sort(members.begin(), members.end());
    return members;
}

bool process_group_alive(pid_t pgid) {
    return pgid > 0 && (process_alive(pgid) || !descendants_of(pgid).empty());
}

bool process_alive(pid_t pid) {
    if (pid <= 0) {
        return false;
    }
    const UniqueHandle process(::OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE,
                                             static_cast<DWORD>(pid)));
    if (!process.valid()) {
        return ::GetLastError() == ERROR_ACCESS_DENIED; // exists, not ours to open
    }
    return ::WaitForSingleObject(process.get(), 0) == WAIT_TIMEOUT;
}

std::string kill_command_text(const std::vector<pid_t>& pids) {
    // /F: a console program (a Go server) has no window to close, and taskkill without /F
    // refuses it ("can only be terminated forcefully").
    std::string text = "taskkill /F";
    for (const pid_t pid : pids) {
        text += " /PID " + std::to_string(pid);
    }
    return text;
}

} // namespace golaunch
