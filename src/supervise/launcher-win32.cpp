#include "supervise/launcher.hpp"

#include "supervise/exit_status.hpp"
#include "supervise/windows_command_line.hpp"
#include "util/error.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <algorithm>
#include <atomic>
#include <utility>

namespace golaunch {

namespace bp2 = boost::process::v2;

namespace {

struct HandleCloser {
    void operator()(void* handle) const {
        if (handle != nullptr && handle != INVALID_HANDLE_VALUE) {
            ::CloseHandle(handle);
        }
    }
};
using UniqueHandle = std::unique_ptr<void, HandleCloser>;

struct Pipe {
    UniqueHandle read;  // ours: overlapped, so Asio reads it through the completion port
    UniqueHandle write; // the child's: synchronous and inheritable, as a console program expects
};

Pipe make_output_pipe() {
    static std::atomic<unsigned> counter{0};
    const std::wstring name = L"\\\\.\\pipe\\golaunch-" + std::to_wstring(::GetCurrentProcessId()) +
                              L"-" + std::to_wstring(counter++) + L"-" +
                              std::to_wstring(::GetTickCount64());
    Pipe pipe;
    pipe.read.reset(::CreateNamedPipeW(
        name.c_str(), PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
        PIPE_TYPE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, 0, 64 * 1024, 0, nullptr));
    if (pipe.read.get() == INVALID_HANDLE_VALUE) {
        pipe.read.release();
        throw Error("cannot create an output pipe: " + win32_error_text(::GetLastError()));
    }
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    pipe.write.reset(::CreateFileW(name.c_str(), GENERIC_WRITE, 0, &inherit, OPEN_EXISTING,
                                   FILE_ATTRIBUTE_NORMAL, nullptr));
    if (pipe.write.get() == INVALID_HANDLE_VALUE) {
        pipe.write.release();
        throw Error("cannot open an output pipe: " + win32_error_text(::GetLastError()));
    }
    return pipe;
}

UniqueHandle open_null_input() {
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE handle = ::CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                                  &inherit, OPEN_EXISTING, 0, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        throw Error("cannot open NUL for a service's input: " + win32_error_text(::GetLastError()));
    }
    return UniqueHandle(handle);
}

// The job every process of the service lives in. Closing its last handle kills them all:
// golaunch's handle closes when golaunch exits, however it exits.
UniqueHandle create_kill_on_close_job() {
    UniqueHandle job(::CreateJobObjectW(nullptr, nullptr));
    if (!job) {
        throw Error("cannot create a Job Object: " + win32_error_text(::GetLastError()));
    }
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    if (!::SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                                   sizeof limits)) {
        throw Error("cannot make the Job Object kill on close: " +
                    win32_error_text(::GetLastError()));
    }
    return job;
}

// Variable name for sorting: Windows wants the block sorted by name, case-insensitively
// ("=C:" style entries keep their leading '=').
std::wstring_view env_name(const std::wstring& entry) {
    const auto equals = entry.find(L'=', 1);
    return std::wstring_view(entry).substr(0, equals);
}

// "KEY=VALUE\0KEY=VALUE\0\0" in UTF-16, sorted as CreateProcessW requires.
std::wstring environment_block(const std::vector<std::string>& env) {
    std::vector<std::wstring> entries;
    for (const auto& assignment : env) {
        if (!assignment.empty()) {
            entries.push_back(to_wide(assignment));
        }
    }
    std::stable_sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
        const auto name_a = env_name(a);
        const auto name_b = env_name(b);
        return ::CompareStringOrdinal(name_a.data(), static_cast<int>(name_a.size()), name_b.data(),
                                      static_cast<int>(name_b.size()), TRUE) == CSTR_LESS_THAN;
    });
    std::wstring block;
    for (const auto& entry : entries) {
        block += entry;
        block.push_back(L'\0');
    }
    if (entries.empty()) {
        block.push_back(L'\0');
    }
    block.push_back(L'\0');
    return block;
}

// STARTUPINFOEXW whose attribute list limits inheritance to exactly these handles: a service
// must not inherit another service's pipe (its EOF would never come).
class InheritList {
  public:
    explicit InheritList(std::vector<HANDLE> handles) : m_handles(std::move(handles)) {
        SIZE_T size = 0;
        ::InitializeProcThreadAttributeList(nullptr, 1, 0, &size);
        m_storage.resize(size);
        auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(m_storage.data());
        if (!::InitializeProcThreadAttributeList(list, 1, 0, &size) ||
            !::UpdateProcThreadAttribute(list, 0, PROC_THREAD_ATTRIBUTE_HANDLE_LIST,
                                         m_handles.data(), m_handles.size() * sizeof(HANDLE),
                                         nullptr, nullptr)) {
            throw Error("cannot prepare the handles a service inherits: " +
                        win32_error_text(::GetLastError()));
        }
        m_list = list;
    }
    ~InheritList() {
        if (m_list != nullptr) {
            ::DeleteProcThreadAttributeList(m_list);
        }
    }
    InheritList(const InheritList&) = delete;
    InheritList& operator=(const InheritList&) = delete;
    LPPROC_THREAD_ATTRIBUTE_LIST get() const { return m_list; }

  private:
    std::vector<HANDLE> m_handles;
    std::vector<char> m_storage;
    LPPROC_THREAD_ATTRIBUTE_LIST m_list = nullptr;
};

std::string display_path(const std::filesystem::path& path) {
    return from_wide(path.native());
}

[[noreturn]] void fail_to_start(const LaunchSpec& spec, const std::string& what, DWORD error) {
    const bool not_found = error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND ||
                           error == ERROR_DIRECTORY || error == ERROR_BAD_EXE_FORMAT;
    throw Error(
        "cannot start " + display_path(spec.executable) + ": " + what + win32_error_text(error),
        ExitCode::service_failed,
        not_found
            ? "check the path, the working directory (" + display_path(spec.cwd) + ") and PATH"
            : "");
}

// The created, still suspended child: joins the job, meets the hook, then runs.
void start_suspended(const LaunchSpec& spec, const PROCESS_INFORMATION& created, HANDLE job) {
    if (!::AssignProcessToJobObject(job, created.hProcess)) {
        const DWORD error = ::GetLastError();
        ::TerminateProcess(created.hProcess, k_killed_exit_code);
        fail_to_start(spec, "cannot put it in a Job Object: ", error);
    }
    if (spec.child_hook != nullptr) {
        if (const unsigned long error =
                spec.child_hook->before_resume(created.hProcess, created.dwProcessId);
            error != 0) {
            ::TerminateJobObject(job, k_killed_exit_code);
            fail_to_start(spec, "the bind monitor could not prepare it: ", error);
        }
    }
    if (::ResumeThread(created.hThread) == static_cast<DWORD>(-1)) {
        const DWORD error = ::GetLastError();
        ::TerminateJobObject(job, k_killed_exit_code);
        fail_to_start(spec, "cannot resume it: ", error);
    }
}

} // namespace

std::unique_ptr<LaunchedProcess> launch_process(boost::asio::io_context& io,
                                                const LaunchSpec& spec) {
    auto launched = std::make_unique<LaunchedProcess>(io);
    Pipe out = make_output_pipe();
    Pipe err = make_output_pipe();
    UniqueHandle input = open_null_input();
    UniqueHandle job = create_kill_on_close_job();
    InheritList inherit({input.get(), out.write.get(), err.write.get()});

    STARTUPINFOEXW startup{};
    startup.StartupInfo.cb = sizeof startup;
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = input.get();
    startup.StartupInfo.hStdOutput = out.write.get();
    startup.StartupInfo.hStdError = err.write.get();
    startup.lpAttributeList = inherit.get();

    const std::filesystem::path application = spec.executable.is_absolute() || spec.cwd.empty()
                                                  ? spec.executable
                                                  : spec.cwd / spec.executable;
    std::wstring command_line =
        to_wide(spec.raw_command_line.empty()
                    ? windows_command_line(display_path(spec.executable), spec.args)
                    : spec.raw_command_line);
    std::wstring environment = environment_block(spec.env);
    const DWORD flags = CREATE_SUSPENDED | CREATE_NEW_PROCESS_GROUP | CREATE_UNICODE_ENVIRONMENT |
                        EXTENDED_STARTUPINFO_PRESENT;
    PROCESS_INFORMATION created{};
    if (!::CreateProcessW(application.c_str(), command_line.data(), nullptr, nullptr, TRUE, flags,
                          environment.data(), spec.cwd.empty() ? nullptr : spec.cwd.c_str(),
                          &startup.StartupInfo, &created)) {
        fail_to_start(spec, "", ::GetLastError());
    }
    UniqueHandle thread(created.hThread);
    UniqueHandle process(created.hProcess);
    start_suspended(spec, created, job.get());

    launched->out.assign(out.read.release());
    launched->err.assign(err.read.release());
    launched->process = bp2::process(
        io.get_executor(), static_cast<bp2::pid_type>(created.dwProcessId), process.release());
    launched->pid = static_cast<int>(created.dwProcessId);
    launched->tree =
        ProcessTree(launched->pid, std::shared_ptr<void>(job.release(), HandleCloser{}));
    return launched;
}

} // namespace golaunch
