// The Windows half of the test support: Winsock sockets on loopback, child processes in a
// kill-on-close Job Object (the destructor ends the whole tree the test started), process
// liveness by handle.
#include "support/test_support.hpp"

#include "util/wide_text.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <windows.h>

#include <cstdlib>
#include <map>
#include <stdexcept>
#include <thread>

namespace golaunch::test {

namespace {

struct WinsockSession {
    WinsockSession() {
        WSADATA data{};
        ::WSAStartup(MAKEWORD(2, 2), &data);
    }
    ~WinsockSession() { ::WSACleanup(); }
};
const WinsockSession k_winsock;

// Binds a TCP socket to `address`; the socket (INVALID_SOCKET when it failed) is the caller's.
SOCKET bound_socket(sockaddr_storage& storage, int length, bool exclusive) {
    const SOCKET socket = ::socket(storage.ss_family, SOCK_STREAM, IPPROTO_TCP);
    if (socket == INVALID_SOCKET) {
        return socket;
    }
    const BOOL on = TRUE;
    if (exclusive) {
        ::setsockopt(socket, SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<const char*>(&on),
                     sizeof on);
    }
    if (::bind(socket, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
        ::closesocket(socket);
        return INVALID_SOCKET;
    }
    return socket;
}

int fill_address(sockaddr_storage& storage, HeldListener::Address address, std::uint16_t port) {
    storage = {};
    if (address == HeldListener::Address::loopback6) {
        auto& in6 = reinterpret_cast<sockaddr_in6&>(storage);
        in6.sin6_family = AF_INET6;
        in6.sin6_addr = in6addr_loopback;
        in6.sin6_port = htons(port);
        return sizeof in6;
    }
    auto& in4 = reinterpret_cast<sockaddr_in&>(storage);
    in4.sin_family = AF_INET;
    in4.sin_addr.s_addr =
        htonl(address == HeldListener::Address::any ? INADDR_ANY : INADDR_LOOPBACK);
    in4.sin_port = htons(port);
    return sizeof in4;
}

// True when an exclusive bind to the wildcard of `family` succeeds: nothing uses the port
// there (Windows would let a wildcard bind and a specific one coexist otherwise).
bool wildcard_free(int family, std::uint16_t port) {
    sockaddr_storage storage{};
    int length = 0;
    if (family == AF_INET6) {
        auto& in6 = reinterpret_cast<sockaddr_in6&>(storage);
        in6.sin6_family = AF_INET6;
        in6.sin6_addr = in6addr_any;
        in6.sin6_port = htons(port);
        length = sizeof in6;
    } else {
        length = fill_address(storage, HeldListener::Address::any, port);
    }
    const SOCKET socket = bound_socket(storage, length, true);
    if (socket == INVALID_SOCKET) {
        return false;
    }
    ::closesocket(socket);
    return true;
}

SOCKET connected_socket(std::uint16_t port) {
    sockaddr_storage storage{};
    const int length = fill_address(storage, HeldListener::Address::loopback, port);
    const SOCKET socket = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    if (socket == INVALID_SOCKET) {
        return socket;
    }
    const DWORD timeout_ms = 2000;
    ::setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, reinterpret_cast<const char*>(&timeout_ms),
                 sizeof timeout_ms);
    if (::connect(socket, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
        ::closesocket(socket);
        return INVALID_SOCKET;
    }
    return socket;
}

// This process's environment with `extra` ("KEY=VALUE") set on top, as a CreateProcessW block.
std::wstring environment_with(const std::vector<std::string>& extra) {
    std::map<std::wstring, std::wstring, decltype([](const std::wstring& a, const std::wstring& b) {
                 return _wcsicmp(a.c_str(), b.c_str()) < 0;
             })>
        variables;
    wchar_t* block = ::GetEnvironmentStringsW();
    for (const wchar_t* entry = block; *entry != L'\0'; entry += std::wcslen(entry) + 1) {
        const std::wstring text(entry);
        const auto equals = text.find(L'=', 1);
        if (equals != std::wstring::npos) {
            variables[text.substr(0, equals)] = text.substr(equals + 1);
        }
    }
    ::FreeEnvironmentStringsW(block);
    for (const auto& assignment : extra) {
        const std::wstring text = to_wide(assignment);
        const auto equals = text.find(L'=');
        if (equals != std::wstring::npos) {
            variables[text.substr(0, equals)] = text.substr(equals + 1);
        }
    }
    std::wstring result;
    for (const auto& [key, value] : variables) {
        result += key + L"=" + value;
        result += L'\0';
    }
    result += L'\0';
    return result;
}

HANDLE inheritable_file(const std::wstring& path, DWORD access, DWORD disposition) {
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    return ::CreateFileW(path.c_str(), access, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                         disposition, FILE_ATTRIBUTE_NORMAL, nullptr);
}

// Children by pid: their process handle and job (ChildProcess keeps only the pid).
struct ChildHandles {
    HANDLE process = nullptr;
    HANDLE job = nullptr;
};
std::map<pid_t, ChildHandles>& children() {
    static std::map<pid_t, ChildHandles> table;
    return table;
}

} // namespace

std::uint16_t pick_free_port() {
    for (int attempt = 0; attempt < 50; ++attempt) {
        HeldListener probe(0);
        const std::uint16_t port = probe.port();
        probe.close();
        if (port != 0 && wildcard_free(AF_INET, port) && wildcard_free(AF_INET6, port)) {
            return port;
        }
    }
    throw std::runtime_error("no free loopback port after 50 attempts");
}

HeldListener::HeldListener(std::uint16_t port, Address address) {
    sockaddr_storage storage{};
    int length = fill_address(storage, address, port);
    const SOCKET socket = bound_socket(storage, length, false);
    if (socket == INVALID_SOCKET) {
        return;
    }
    m_fd = static_cast<int>(socket);
    auto* generic = reinterpret_cast<sockaddr*>(&storage);
    m_ok = ::listen(socket, 8) == 0 && ::getsockname(socket, generic, &length) == 0;
    if (m_ok) {
        m_port =
            ntohs(address == Address::loopback6 ? reinterpret_cast<sockaddr_in6&>(storage).sin6_port
                                                : reinterpret_cast<sockaddr_in&>(storage).sin_port);
    }
}

HeldListener::~HeldListener() {
    close();
}

void HeldListener::close() {
    if (m_fd >= 0) {
        ::closesocket(static_cast<SOCKET>(m_fd));
        m_fd = -1;
    }
}

// Windows has no privileged ports: nothing below 1024 needs a right to bind.
std::uint16_t free_privileged_port() {
    return 0;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& output_file,
                           const std::vector<std::string>& extra_env) {
    const HANDLE in = inheritable_file(L"NUL", GENERIC_READ, OPEN_EXISTING);
    const HANDLE out = output_file.empty()
                           ? nullptr
                           : inheritable_file(to_wide(output_file), GENERIC_WRITE, CREATE_ALWAYS);
    STARTUPINFOW startup{};
    startup.cb = sizeof startup;
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = in;
    startup.hStdOutput = out != nullptr ? out : ::GetStdHandle(STD_OUTPUT_HANDLE);
    startup.hStdError = out != nullptr ? out : ::GetStdHandle(STD_ERROR_HANDLE);
    std::wstring line = windows_command_line(argv);
    std::wstring environment = environment_with(extra_env);
    PROCESS_INFORMATION info{};
    const BOOL started =
        ::CreateProcessW(nullptr, line.data(), nullptr, nullptr, TRUE,
                         CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | CREATE_NEW_PROCESS_GROUP,
                         environment.data(), nullptr, &startup, &info);
    const DWORD error = ::GetLastError();
    ::CloseHandle(in);
    if (out != nullptr) {
        ::CloseHandle(out);
    }
    if (!started) {
        throw std::runtime_error("cannot start " + argv.front() + ": " + win32_error_text(error));
    }
    const HANDLE job = ::CreateJobObjectW(nullptr, nullptr);
    JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
    limits.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    ::SetInformationJobObject(job, JobObjectExtendedLimitInformation, &limits, sizeof limits);
    ::AssignProcessToJobObject(job, info.hProcess);
    ::ResumeThread(info.hThread);
    ::CloseHandle(info.hThread);
    m_pid = static_cast<pid_t>(info.dwProcessId);
    children()[m_pid] = ChildHandles{info.hProcess, job};
    m_running = true;
}

ChildProcess::~ChildProcess() {
    const auto found = children().find(m_pid);
    if (found == children().end()) {
        return;
    }
    if (m_running) {
        ::TerminateJobObject(found->second.job, 137);
        ::WaitForSingleObject(found->second.process, 10000);
    }
    ::CloseHandle(found->second.job); // kill-on-close: nothing of the tree survives
    ::CloseHandle(found->second.process);
    children().erase(found);
}

// Windows has no signals to send: every `signo` ends the child's whole tree (exit code
// 128 + signo, as a shell would report a signal).
void ChildProcess::signal(int signo) const {
    const auto found = children().find(m_pid);
    if (m_running && found != children().end()) {
        ::TerminateJobObject(found->second.job, static_cast<UINT>(128 + signo));
    }
}

// The exit code stands in for the wait status.
std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
    const auto found = children().find(m_pid);
    if (!m_running || found == children().end()) {
        return std::nullopt;
    }
    if (::WaitForSingleObject(found->second.process, static_cast<DWORD>(timeout.count())) !=
        WAIT_OBJECT_0) {
        return std::nullopt;
    }
    DWORD code = 0;
    ::GetExitCodeProcess(found->second.process, &code);
    m_running = false;
    return static_cast<int>(code);
}

bool can_connect(std::uint16_t port) {
    const SOCKET socket = connected_socket(port);
    if (socket == INVALID_SOCKET) {
        return false;
    }
    ::closesocket(socket);
    return true;
}

std::string http_exchange(std::uint16_t port, const std::string& request) {
    const SOCKET socket = connected_socket(port);
    if (socket == INVALID_SOCKET) {
        return "";
    }
    if (::send(socket, request.data(), static_cast<int>(request.size()), 0) !=
        static_cast<int>(request.size())) {
        ::closesocket(socket);
        return "";
    }
    std::string response;
    char buffer[4096];
    int n = 0;
    while ((n = ::recv(socket, buffer, sizeof buffer, 0)) > 0) {
        response.append(buffer, static_cast<std::size_t>(n));
    }
    ::closesocket(socket);
    return response;
}

bool pid_running(pid_t pid) {
    const HANDLE process =
        ::OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, FALSE, static_cast<DWORD>(pid));
    if (process == nullptr) {
        return false;
    }
    DWORD code = 0;
    const bool running = ::GetExitCodeProcess(process, &code) && code == STILL_ACTIVE;
    ::CloseHandle(process);
    return running;
}

bool running_under_wine() {
    const HMODULE ntdll = ::GetModuleHandleW(L"ntdll.dll");
    return ntdll != nullptr && ::GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

double thread_cpu_ms() {
    FILETIME created{};
    FILETIME exited{};
    FILETIME kernel{};
    FILETIME user{};
    if (!::GetThreadTimes(::GetCurrentThread(), &created, &exited, &kernel, &user)) {
        return 0;
    }
    const auto ticks = [](const FILETIME& time) { // 100 ns each
        return static_cast<double>((static_cast<unsigned long long>(time.dwHighDateTime) << 32) |
                                   time.dwLowDateTime);
    };
    return (ticks(kernel) + ticks(user)) / 1e4;
}

} // namespace golaunch::test
