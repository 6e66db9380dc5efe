// run_command on Windows: CreateProcessW with stdout/stderr on anonymous pipes and stdin on NUL,
// inside a kill-on-close Job Object so the deadline ends the command's whole tree. The pipes
// are read by polling (PeekNamedPipe) so that nothing can block past the deadline, even when a
// grandchild outside the job keeps a pipe open.
#include "platform/command_output.hpp"

#include "util/strings.hpp"
#include "util/unique_handle.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <algorithm>
#include <cstdlib>
#include <cwctype>
#include <filesystem>
#include <thread>
#include <utility>

namespace golaunch {

namespace {

constexpr std::size_t k_max_out = 4U << 20U;
constexpr std::size_t k_max_err = 64U << 10U;
constexpr auto k_poll_interval = std::chrono::milliseconds(5);

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::towlower(static_cast<unsigned char>(x)) ==
                      std::towlower(static_cast<unsigned char>(y));
           });
}

// Environment keys are case-insensitive on Windows ("Path").
std::string env_value(const std::vector<std::string>& env, const std::string& key) {
    for (const auto& entry : env) {
        const auto equals = entry.find('=', 1);
        if (equals != std::string::npos && iequals(entry.substr(0, equals), key)) {
            return entry.substr(equals + 1);
        }
    }
    return "";
}

bool regular_file(const std::filesystem::path& path) {
    std::error_code error;
    return std::filesystem::is_regular_file(path, error);
}

// `program` as given, else with each extension a command may have when none is given.
std::string with_extension(const std::filesystem::path& candidate) {
    if (candidate.has_extension() && regular_file(candidate)) {
        return candidate.string();
    }
    for (const char* extension : {".exe", ".com"}) {
        auto path = candidate;
        path += extension;
        if (regular_file(path)) {
            return path.string();
        }
    }
    return "";
}

// A CreateProcessW environment block: sorted "KEY=VALUE\0" entries, then one more \0.
std::wstring environment_block(std::vector<std::string> env) {
    std::sort(env.begin(), env.end(), [](const std::string& a, const std::string& b) {
        return _stricmp(a.c_str(), b.c_str()) < 0;
    });
    std::wstring block;
    for (const auto& entry : env) {
        block += to_wide(entry);
        block += L'\0';
    }
    block += L'\0';
    return block;
}

// Moves what is available from `pipe` into `sink` (up to `cap`); false once it is closed.
bool read_available(HANDLE pipe, std::string& sink, std::size_t cap) {
    DWORD available = 0;
    if (!::PeekNamedPipe(pipe, nullptr, 0, nullptr, &available, nullptr)) {
        return false; // ERROR_BROKEN_PIPE: every writer is gone
    }
    while (available > 0) {
        char buffer[8192];
        DWORD count = 0;
        const DWORD want = std::min<DWORD>(available, sizeof buffer);
        if (!::ReadFile(pipe, buffer, want, &count, nullptr) || count == 0) {
            return false;
        }
        if (sink.size() < cap) {
            sink.append(buffer, count);
        }
        available -= count;
    }
    return true;
}

// Reads both pipes until they close or the deadline passes; false on timeout.
bool drain(HANDLE out, HANDLE err, std::chrono::steady_clock::time_point deadline,
           CommandOutput& result) {
    bool out_open = true;
    bool err_open = true;
    while (out_open || err_open) {
        out_open = out_open && read_available(out, result.out, k_max_out);
        err_open = err_open && read_available(err, result.err, k_max_err);
        if (!out_open && !err_open) {
            break;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(k_poll_interval);
    }
    return true;
}

struct Pipe {
    UniqueHandle read;
    UniqueHandle write; // inheritable: the child's end
};

bool make_pipe(Pipe& pipe) {
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE read = nullptr;
    HANDLE write = nullptr;
    if (!::CreatePipe(&read, &write, &inherit, 0)) {
        return false;
    }
    pipe.read = UniqueHandle(read);
    pipe.write = UniqueHandle(write);
    return ::SetHandleInformation(read, HANDLE_FLAG_INHERIT, 0) != 0;
}

UniqueHandle open_null() {
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    return UniqueHandle(::CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                      &inherit, OPEN_EXISTING, 0, nullptr));
}

UniqueHandle kill_on_close_job() {
    UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (job.valid()) {
        ::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                  sizeof limits);
    }
    return job;
}

// Starts `program` suspended with exactly these three handles inherited, puts it in `job`,
// then lets it run. Sets result.error on failure.
UniqueHandle start_process(const std::string& program, const std::vector<std::string>& argv,
                           const std::vector<std::string>& env, HANDLE std_handles[3], HANDLE job,
                           CommandOutput& result, const std::filesystem::path& cwd) {
    SIZE_T size = 0;
    ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
    std::string storage(size, '\0');
    auto* attributes = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage.data());
    if (!::InitializeProcThreadAttributeList(attributes, 1, 0, &size) ||
        !::UpdateProcThreadAttribute(attributes, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST, std_handles,
                                     3 * sizeof(HANDLE), nullptr, nullptr)) {
        result.error = "cannot prepare the handle list: " + win32_error_text(::GetLastError());
        return {};
    }
    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = std_handles[0];
    startup.StartupInfo.hStdOutput = std_handles[1];
    startup.StartupInfo.hStdError = std_handles[2];
    startup.lpAttributeList = attributes;
    std::vector<std::string> args = argv;
    args.front() = program;
    std::wstring line = windows_command_line(args);
    std::wstring block = env.empty() ? L"" : environment_block(env);
    PROCESS_INFORMATION info{};
    const DWORD flags = EXTENDED_STARTUPINFO_PRESENT | CREATE_SUSPENDED |
                        CREATE_UNICODE_ENVIRONMENT | CREATE_NO_WINDOW;
    const BOOL started = ::CreateProcessW(to_wide(program).c_str(), line.data(), nullptr, nullptr,
                                          TRUE, flags, env.empty() ? nullptr : block.data(),
                                          cwd.empty() ? nullptr : cwd.wstring().c_str(),
                                          &startup.StartupInfo, &info);
    const DWORD error = ::GetLastError();
    ::DeleteProcThreadAttributeList(attributes);
    if (!started) {
        result.error = argv.front() + ": " + win32_error_text(error);
        return {};
    }
    ::AssignProcessToJobObject(job, info.hProcess); // best effort: already in a job that forbids it
    ::ResumeThread(info.hThread);
    ::CloseHandle(info.hThread);
    return UniqueHandle(info.hProcess);
}

} // namespace

std::string find_in_path(const std::string& program, const std::string& path) {
    if (program.find_first_of("/\\:") != std::string::npos) {
        return with_extension(program);
    }
    for (const auto& dir : split(path, ';')) {
        const auto trimmed = std::string(trim(dir));
        const std::filesystem::path base = trimmed.empty() ? "." : trimmed;
        if (auto found = with_extension(base / program); !found.empty()) {
            return found;
        }
    }
    return "";
}

CommandOutput run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::string>& env, const std::filesystem::path& cwd) {
    CommandOutput result;
    const char* own_path = std::getenv("PATH");
    const std::string path = env.empty() ? (own_path ? own_path : "") : env_value(env, "PATH");
    const std::string program = argv.empty() ? "" : find_in_path(argv.front(), path);
    if (program.empty()) {
        result.error =
            (argv.empty() ? std::string("no command") : argv.front()) + ": not found in PATH";
        return result;
    }
    Pipe out;
    Pipe err;
    const UniqueHandle null = open_null();
    if (!make_pipe(out) || !make_pipe(err) || !null.valid()) {
        result.error = "cannot create pipes: " + win32_error_text(::GetLastError());
        return result;
    }
    const UniqueHandle job = kill_on_close_job();
    HANDLE std_handles[3] = {null.get(), out.write.get(), err.write.get()};
    const UniqueHandle process =
        start_process(program, argv, env, std_handles, job.get(), result, cwd);
    if (!process.valid()) {
        return result;
    }
    result.started = true;
    out.write.reset();
    err.write.reset();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool finished = drain(out.read.get(), err.read.get(), deadline, result);
    if (finished) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        const DWORD wait = static_cast<DWORD>(std::max<long long>(left.count(), 0));
        finished = ::WaitForSingleObject(process.get(), wait) == WAIT_OBJECT_0;
    }
    if (!finished) {
        result.timed_out = true;
        ::TerminateJobObject(job.get(), 1);
        ::TerminateProcess(process.get(), 1);
        ::WaitForSingleObject(process.get(), 5000);
    }
    DWORD code = 0;
    result.exit_code = ::GetExitCodeProcess(process.get(), &code) && code != STILL_ACTIVE
                           ? static_cast<int>(code)
                           : -1;
    return result;
}

} // namespace golaunch
