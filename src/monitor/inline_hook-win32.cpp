#include "monitor/inline_hook-win32.hpp"

#include "monitor/hook_injection-win32.hpp"
#include "monitor/hook_protocol.hpp"

#include "util/error.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <atomic>
#include <cstring>
#include <random>
#include <thread>

namespace golaunch {

namespace {

constexpr DWORD k_inject_timeout_ms = 10000;
constexpr DWORD k_pipe_buffer = 64 * 1024;
constexpr DWORD k_flush_timeout_ms = 1000;

std::uint64_t random_nonce() {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
}

// One service launch: the pipe server, the injection, and the thread reading the records.
class InlineHookSession final : public MonitorSession, public ChildHook {
  public:
    InlineHookSession(std::filesystem::path dll, BindEventHandler on_event)
        : m_dll(std::move(dll)), m_on_event(std::move(on_event)),
          m_stop(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
          m_io_event(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
          m_read_all(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
          m_main_ended(CreateEventW(nullptr, TRUE, FALSE, nullptr)) {}

    ~InlineHookSession() override {
        SetEvent(m_stop.get());
        if (m_reader.joinable()) {
            m_reader.join();
        }
    }

    ChildHook* child_hook() override { return this; }
    int in_child() noexcept override { return 0; } // POSIX only

    // Never fails the launch: a failure is kept and attach() reports it (then golaunch polls).
    unsigned long before_resume(void* process, unsigned long pid) noexcept override {
        try {
            m_pid = pid;
            m_failure = inject(static_cast<HANDLE>(process), static_cast<DWORD>(pid));
        } catch (const std::exception& error) {
            m_failure = error.what();
        }
        return 0;
    }

    void attach(pid_t pid) override {
        if (m_pid == 0) {
            throw Error("bind monitor: the hook was not injected into pid " + std::to_string(pid) +
                        " (the launcher did not call before_resume)");
        }
        if (!m_failure.empty()) {
            throw Error("bind monitor: pid " + std::to_string(m_pid) + " not hooked: " + m_failure);
        }
        m_reader = std::thread([this] {
            read_records();
            SetEvent(m_read_all.get());
        });
    }

    // The process has exited: wait until its last record has been read. That is its exit
    // record (sent as it ended), or the broken pipe when nothing else holds it. Bounded, for a
    // process that was terminated (no exit record) while a child of it keeps the pipe open.
    void flush() override {
        if (m_reader.joinable() && m_read_all.valid() && m_main_ended.valid()) {
            const HANDLE done[2] = {m_read_all.get(), m_main_ended.get()};
            WaitForMultipleObjects(2, done, FALSE, k_flush_timeout_ms);
        }
    }

  private:
    std::string inject(HANDLE process, DWORD pid) {
        if (!m_stop.valid() || !m_io_event.valid()) {
            return "CreateEvent: " + win32_error_text(GetLastError());
        }
        const auto name = hook_pipe_name(GetCurrentProcessId(), pid, random_nonce());
        m_pipe.reset(CreateNamedPipeW(
            reinterpret_cast<const wchar_t*>(name.c_str()),
            PIPE_ACCESS_INBOUND | FILE_FLAG_OVERLAPPED | FILE_FLAG_FIRST_PIPE_INSTANCE,
            PIPE_TYPE_BYTE | PIPE_READMODE_BYTE | PIPE_WAIT | PIPE_REJECT_REMOTE_CLIENTS, 1, 0,
            k_pipe_buffer, 0, nullptr));
        if (!m_pipe.valid()) {
            return "CreateNamedPipe: " + win32_error_text(GetLastError());
        }
        HookControlBlock control;
        if (auto failure = control.create(pid, name); !failure.empty()) {
            return failure;
        }
        bool returned_null = false;
        if (auto failure =
                inject_hook_dll(process, m_dll.wstring(), k_inject_timeout_ms, returned_null);
            !failure.empty()) {
            return failure;
        }
        switch (control.state()) {
        case HookState::hooked:
            return {};
        case HookState::refused:
            return control.reason();
        case HookState::pending:
            break;
        }
        return returned_null ? "LoadLibraryW(" + m_dll.string() + ") failed in the service"
                             : "the hook DLL loaded but did not answer (a different version?)";
    }

    // Waits for the overlapped operation or the stop event. False when stopping or failed.
    bool finish(OVERLAPPED& overlapped, BOOL started, DWORD& bytes) {
        if (!started && GetLastError() != ERROR_IO_PENDING) {
            return false;
        }
        const HANDLE handles[2] = {m_stop.get(), m_io_event.get()};
        if (WaitForMultipleObjects(2, handles, FALSE, INFINITE) != WAIT_OBJECT_0 + 1) {
            CancelIoEx(m_pipe.get(), &overlapped);
            GetOverlappedResult(m_pipe.get(), &overlapped, &bytes, TRUE);
            return false;
        }
        return GetOverlappedResult(m_pipe.get(), &overlapped, &bytes, FALSE) != FALSE;
    }

    void read_records() {
        OVERLAPPED overlapped{};
        overlapped.hEvent = m_io_event.get();
        DWORD bytes = 0;
        const BOOL connected = ConnectNamedPipe(m_pipe.get(), &overlapped);
        // The DLL connected while the service was suspended: ERROR_PIPE_CONNECTED, no wait.
        if (!connected && GetLastError() != ERROR_PIPE_CONNECTED &&
            !finish(overlapped, connected, bytes)) {
            return;
        }
        unsigned char buffer[sizeof(HookRecord) * 64];
        std::size_t held = 0;
        for (;;) {
            overlapped = OVERLAPPED{};
            overlapped.hEvent = m_io_event.get();
            const BOOL started =
                ReadFile(m_pipe.get(), buffer + held, static_cast<DWORD>(sizeof buffer - held),
                         nullptr, &overlapped);
            if (!finish(overlapped, started, bytes)) {
                return; // stopped, or the service is gone (ERROR_BROKEN_PIPE)
            }
            held += bytes;
            held = deliver(buffer, held);
        }
    }

    // Hands over every whole record; returns the bytes of a partial one kept at the front.
    std::size_t deliver(unsigned char* buffer, std::size_t held) {
        std::size_t used = 0;
        for (; held - used >= sizeof(HookRecord); used += sizeof(HookRecord)) {
            HookRecord record;
            std::memcpy(&record, buffer + used, sizeof record);
            BindEvent event;
            if (to_bind_event(record, event)) {
                m_on_event(event);
            } else if (is_exit_record(record, static_cast<std::uint32_t>(m_pid))) {
                SetEvent(m_main_ended.get()); // after every record of it, handed over above
            }
        }
        std::memmove(buffer, buffer + used, held - used);
        return held - used;
    }

    std::filesystem::path m_dll;
    BindEventHandler m_on_event;
    UniqueHandle m_stop;
    UniqueHandle m_io_event;
    UniqueHandle m_read_all;   // set when the reader has ended
    UniqueHandle m_main_ended; // set when the service's own process sent its exit record
    UniqueHandle m_pipe;
    unsigned long m_pid = 0;
    std::string m_failure;
    std::thread m_reader;
};

class InlineHookMonitor final : public BindMonitor {
  public:
    explicit InlineHookMonitor(std::filesystem::path dll) : m_dll(std::move(dll)) {}

    MonitorKind kind() const override { return MonitorKind::hook; }

    std::string description() const override {
        return "inline hook of ws2_32!bind/listen injected into each service (" + m_dll.string() +
               ") and into every process it starts (CreateProcessW/A are hooked too)";
    }

    std::unique_ptr<MonitorSession> prepare(const std::string&, BindEventHandler on_event,
                                            std::string&) override {
        return std::make_unique<InlineHookSession>(m_dll, std::move(on_event));
    }

  private:
    std::filesystem::path m_dll;
};

} // namespace

std::filesystem::path default_hook_dll() {
    std::wstring path(MAX_PATH, L'\0');
    for (int attempt = 0; attempt < 4; ++attempt) {
        const DWORD length =
            GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
        if (length < path.size()) {
            path.resize(length);
            return std::filesystem::path(path).parent_path() / k_hook_dll_name;
        }
        path.resize(path.size() * 4);
    }
    return k_hook_dll_name;
}

std::unique_ptr<BindMonitor> create_inline_hook_monitor(const std::filesystem::path& dll,
                                                        std::string& why_not) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(dll, error)) {
        why_not = dll.string() + " not found";
        return nullptr;
    }
    return std::make_unique<InlineHookMonitor>(dll);
}

std::unique_ptr<BindMonitor> create_bind_monitor(MonitorKind requested, std::string& warning) {
    if (requested == MonitorKind::poll || requested == MonitorKind::off) {
        return nullptr;
    }
    if (requested == MonitorKind::notify || requested == MonitorKind::ptrace) {
        throw Error(std::string("--monitor ") + to_string(requested) +
                        ": seccomp and ptrace are Linux backends; this is Windows",
                    ExitCode::usage,
                    "--monitor hook (or auto) injects golaunch_hook.dll; --monitor poll watches "
                    "the socket table (successes only)");
    }
    std::string why_not;
    auto monitor = create_inline_hook_monitor(default_hook_dll(), why_not);
    if (monitor) {
        return monitor;
    }
    if (requested == MonitorKind::hook) {
        throw Error("--monitor hook: " + why_not, ExitCode::usage,
                    "install golaunch_hook.dll next to golaunch.exe, or use --monitor poll");
    }
    warning = "bind monitor: " + why_not +
              "; falling back to polling the socket table (bind failures are inferred)";
    return nullptr;
}

} // namespace golaunch
