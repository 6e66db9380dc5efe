// golaunch_hook.dll: loaded by golaunch into a service's process while it is still suspended
// (CreateRemoteThread(LoadLibraryW)). It inline-patches ws2_32!bind and ws2_32!listen — Go
// resolves them with GetProcAddress, so patching the import table would miss them — and reports
// each call with its result over golaunch's named pipe (see monitor/hook_protocol.hpp).
//
// The patch: a 5-byte `jmp rel32` over the function's first whole instructions, to a stub within
// +-2 GB that jumps (absolute) to our hook; the overwritten instructions are relocated into a
// trampoline there that jumps back. Prologues the decoder (monitor/x64_prologue) cannot copy are
// refused: nothing is patched and golaunch polls instead.
//
// The hooks use no C++ runtime: Win32 calls, a slim SRW lock and one fixed-size WriteFile each.
// When the pipe fails (golaunch gone) reporting stops for good; the service keeps running.
//
// Children are followed, as Detours' DetourCreateProcessWithDll does: KernelBase's CreateProcessW
// and CreateProcessA (where kernel32's, cmd.exe's and Go's calls all end up) are patched the same
// way. The hook creates the child suspended, writes its control block with a duplicate of this
// process's pipe handle, injects this DLL with CreateRemoteThread(LoadLibraryW), and resumes it
// unless the caller itself asked for CREATE_SUSPENDED. Records carry the child's own pid.
#include "monitor/hook_protocol.hpp"
#include "monitor/x64_prologue.hpp"

#include <winsock2.h>
#include <ws2tcpip.h>

#include <windows.h>

#include <cstring>

namespace golaunch {
namespace {

using BindFunction = int(WSAAPI*)(SOCKET, const sockaddr*, int);
using ListenFunction = int(WSAAPI*)(SOCKET, int);
using CreateProcessWFunction = BOOL(WINAPI*)(LPCWSTR, LPWSTR, LPSECURITY_ATTRIBUTES,
                                             LPSECURITY_ATTRIBUTES, BOOL, DWORD, LPVOID, LPCWSTR,
                                             LPSTARTUPINFOW, LPPROCESS_INFORMATION);
using CreateProcessAFunction = BOOL(WINAPI*)(LPCSTR, LPSTR, LPSECURITY_ATTRIBUTES,
                                             LPSECURITY_ATTRIBUTES, BOOL, DWORD, LPVOID, LPCSTR,
                                             LPSTARTUPINFOA, LPPROCESS_INFORMATION);

BindFunction g_original_bind = nullptr;
ListenFunction g_original_listen = nullptr;
CreateProcessWFunction g_original_create_w = nullptr;
CreateProcessAFunction g_original_create_a = nullptr;
HMODULE g_module = nullptr;
DWORD g_in_create = TLS_OUT_OF_INDEXES; // set while this thread is inside a hooked CreateProcess
constexpr DWORD k_child_inject_timeout_ms = 10000;
SRWLOCK g_pipe_lock = SRWLOCK_INIT;
HANDLE g_pipe = INVALID_HANDLE_VALUE;
volatile LONG g_reporting = 0;

constexpr std::size_t k_jump_bytes = 5;
constexpr std::size_t k_block_size = 4096;
constexpr std::size_t k_stub_offset = 64; // trampoline: stolen bytes + 14-byte jump back
constexpr std::int64_t k_reach = 0x7ff00000;

// jmp qword [rip+0]; dq target
void write_absolute_jump(std::uint8_t* at, const void* target) {
    const std::uint8_t jump[6] = {0xff, 0x25, 0, 0, 0, 0};
    std::memcpy(at, jump, sizeof jump);
    const auto address = reinterpret_cast<std::uint64_t>(target);
    std::memcpy(at + sizeof jump, &address, sizeof address);
}

// Both the port and the address in the record, from a sockaddr the call was given or returned.
void fill_address(HookRecord& record, const sockaddr* address, int length) {
    if (address == nullptr) {
        return;
    }
    if (address->sa_family == AF_INET && length >= static_cast<int>(sizeof(sockaddr_in))) {
        const auto* in = reinterpret_cast<const sockaddr_in*>(address);
        record.family = 4;
        std::memcpy(record.address, &in->sin_addr, 4);
        record.port = ntohs(in->sin_port);
    } else if (address->sa_family == AF_INET6 && length >= static_cast<int>(sizeof(sockaddr_in6))) {
        const auto* in6 = reinterpret_cast<const sockaddr_in6*>(address);
        record.family = 6;
        std::memcpy(record.address, &in6->sin6_addr, 16);
        record.port = ntohs(in6->sin6_port);
    }
}

void send_record(const HookRecord& record) {
    AcquireSRWLockExclusive(&g_pipe_lock);
    if (g_reporting != 0) {
        DWORD written = 0;
        const BOOL ok = WriteFile(g_pipe, &record, sizeof record, &written, nullptr);
        if (!ok || written != sizeof record) {
            InterlockedExchange(&g_reporting, 0); // golaunch is gone: stop, keep the service
            CloseHandle(g_pipe);
            g_pipe = INVALID_HANDLE_VALUE;
        }
    }
    ReleaseSRWLockExclusive(&g_pipe_lock);
}

// The process is ending (DllMain, DLL_PROCESS_DETACH): golaunch then knows every record of
// this pid has come, without waiting for the pipe to break (a child may hold it open). The
// other threads are gone by now, and one may have been holding the lock: only try it.
void report_exit() {
    if (g_reporting == 0 || TryAcquireSRWLockExclusive(&g_pipe_lock) == 0) {
        return;
    }
    HookRecord record{};
    record.magic = k_hook_record_magic;
    record.call = static_cast<std::uint8_t>(HookCall::exit);
    record.pid = GetCurrentProcessId();
    record.tid = GetCurrentThreadId();
    FILETIME now;
    GetSystemTimePreciseAsFileTime(&now);
    record.filetime = (static_cast<std::uint64_t>(now.dwHighDateTime) << 32) | now.dwLowDateTime;
    DWORD written = 0;
    WriteFile(g_pipe, &record, sizeof record, &written, nullptr);
    ReleaseSRWLockExclusive(&g_pipe_lock);
}

void report(HookCall call, SOCKET socket, const sockaddr* address, int length, int result,
            int error) {
    if (g_reporting == 0) {
        return;
    }
    HookRecord record{};
    record.magic = k_hook_record_magic;
    record.call = static_cast<std::uint8_t>(call);
    record.pid = GetCurrentProcessId();
    record.tid = GetCurrentThreadId();
    record.result = result;
    record.error = result == 0 ? 0 : error;
    FILETIME now;
    GetSystemTimePreciseAsFileTime(&now);
    record.filetime = (static_cast<std::uint64_t>(now.dwHighDateTime) << 32) | now.dwLowDateTime;
    int type = 0;
    int type_length = sizeof type;
    if (getsockopt(socket, SOL_SOCKET, SO_TYPE, reinterpret_cast<char*>(&type), &type_length) ==
        0) {
        record.socket_type = static_cast<std::uint8_t>(type);
    }
    if (call == HookCall::bind && error != WSAEFAULT) {
        fill_address(record, address, length);
    } else if (call == HookCall::listen) {
        sockaddr_storage bound{};
        int bound_length = sizeof bound;
        if (getsockname(socket, reinterpret_cast<sockaddr*>(&bound), &bound_length) == 0) {
            fill_address(record, reinterpret_cast<const sockaddr*>(&bound), bound_length);
        }
    }
    send_record(record);
}

int WSAAPI hooked_bind(SOCKET socket, const sockaddr* address, int length) {
    const int result = g_original_bind(socket, address, length);
    const DWORD last_error = GetLastError(); // WSAGetLastError() is the thread's last error
    report(HookCall::bind, socket, address, length, result, static_cast<int>(last_error));
    SetLastError(last_error);
    return result;
}

int WSAAPI hooked_listen(SOCKET socket, int backlog) {
    const int result = g_original_listen(socket, backlog);
    const DWORD last_error = GetLastError();
    report(HookCall::listen, socket, nullptr, 0, result, static_cast<int>(last_error));
    SetLastError(last_error);
    return result;
}

// Free, committed memory within reach of a rel32 jump from `target`, or nullptr.
std::uint8_t* allocate_near(const std::uint8_t* target) {
    SYSTEM_INFO info;
    GetSystemInfo(&info);
    const auto granularity = static_cast<std::uint64_t>(info.dwAllocationGranularity);
    const auto origin = reinterpret_cast<std::uint64_t>(target) & ~(granularity - 1);
    const auto low_limit = reinterpret_cast<std::uint64_t>(info.lpMinimumApplicationAddress);
    const auto high_limit = reinterpret_cast<std::uint64_t>(info.lpMaximumApplicationAddress);
    const std::uint64_t steps = static_cast<std::uint64_t>(k_reach) / granularity;
    for (std::uint64_t step = 1; step < steps; ++step) {
        for (const std::uint64_t candidate :
             {origin - step * granularity, origin + step * granularity}) {
            if (candidate < low_limit || candidate > high_limit) {
                continue;
            }
            MEMORY_BASIC_INFORMATION region;
            if (VirtualQuery(reinterpret_cast<void*>(candidate), &region, sizeof region) == 0 ||
                region.State != MEM_FREE) {
                continue;
            }
            void* block = VirtualAlloc(reinterpret_cast<void*>(candidate), k_block_size,
                                       MEM_COMMIT | MEM_RESERVE, PAGE_EXECUTE_READWRITE);
            if (block != nullptr) {
                return static_cast<std::uint8_t*>(block);
            }
        }
    }
    return nullptr;
}

// A planned patch of one function: the trampoline is built, the function not yet touched.
struct Patch {
    const char* name = nullptr;
    std::uint8_t* target = nullptr;
    std::uint8_t* block = nullptr;
    X64PrologueCopy copy;
};

void append(char* reason, std::size_t size, const char* text) {
    const std::size_t used = std::strlen(reason);
    std::size_t i = 0;
    for (; used + i + 1 < size && text[i] != '\0'; ++i) {
        reason[used + i] = text[i];
    }
    reason[used + i] = '\0';
}

void append_hex(char* reason, std::size_t size, std::uint64_t value) {
    char text[20];
    char* end = text + sizeof text - 1;
    *end = '\0';
    do {
        *--end = "0123456789abcdef"[value & 15];
        value >>= 4;
    } while (value != 0 && end > text + 2);
    *--end = 'x';
    *--end = '0';
    append(reason, size, end);
}

// Readable bytes from `code` to the end of its region, capped at the decoder's window.
std::size_t readable_bytes(const std::uint8_t* code) {
    MEMORY_BASIC_INFORMATION region;
    if (VirtualQuery(code, &region, sizeof region) == 0 || region.State != MEM_COMMIT) {
        return 0;
    }
    const auto end = reinterpret_cast<std::uint64_t>(region.BaseAddress) + region.RegionSize;
    const auto left = end - reinterpret_cast<std::uint64_t>(code);
    return left < k_max_stolen_bytes + 15 ? static_cast<std::size_t>(left)
                                          : k_max_stolen_bytes + 15;
}

bool plan_patch(HMODULE module, const char* module_name, const char* name, void* hook, Patch& patch,
                char* reason, std::size_t size) {
    patch.name = name;
    patch.target = reinterpret_cast<std::uint8_t*>(GetProcAddress(module, name));
    append(reason, size, module_name);
    append(reason, size, "!");
    append(reason, size, name);
    if (patch.target == nullptr) {
        append(reason, size, ": not exported");
        return false;
    }
    const auto refused =
        plan_prologue_copy(patch.target, readable_bytes(patch.target), k_jump_bytes, patch.copy);
    if (refused) {
        append(reason, size, ": cannot patch its prologue: ");
        append(reason, size, refused.reason);
        append(reason, size, " at +");
        append_hex(reason, size, refused.at);
        append(reason, size, " (opcode ");
        append_hex(reason, size, refused.opcode);
        append(reason, size, ")");
        return false;
    }
    patch.block = allocate_near(patch.target);
    if (patch.block == nullptr) {
        append(reason, size, ": no free memory within 2 GB for the trampoline");
        return false;
    }
    const auto relocated =
        relocate_prologue(patch.target, patch.copy, reinterpret_cast<std::uint64_t>(patch.target),
                          reinterpret_cast<std::uint64_t>(patch.block), patch.block);
    if (relocated) {
        append(reason, size, ": ");
        append(reason, size, relocated.reason);
        return false;
    }
    write_absolute_jump(patch.block + patch.copy.length, patch.target + patch.copy.length);
    write_absolute_jump(patch.block + k_stub_offset, hook);
    reason[0] = '\0';
    return true;
}

bool apply_patch(const Patch& patch) {
    DWORD old_protection = 0;
    if (!VirtualProtect(patch.target, patch.copy.length, PAGE_EXECUTE_READWRITE, &old_protection)) {
        return false;
    }
    std::uint8_t bytes[k_max_stolen_bytes];
    std::memset(bytes, 0xcc, sizeof bytes);
    const auto stub = reinterpret_cast<std::int64_t>(patch.block + k_stub_offset);
    const auto next = reinterpret_cast<std::int64_t>(patch.target + k_jump_bytes);
    const auto displacement = static_cast<std::int32_t>(stub - next);
    bytes[0] = 0xe9;
    std::memcpy(bytes + 1, &displacement, sizeof displacement);
    std::memcpy(patch.target, bytes, patch.copy.length);
    VirtualProtect(patch.target, patch.copy.length, old_protection, &old_protection);
    FlushInstructionCache(GetCurrentProcess(), patch.target, patch.copy.length);
    return true;
}

// All or nothing: both functions are planned before either is patched.
bool install_hooks(char* reason, std::size_t size) {
    HMODULE ws2 = GetModuleHandleW(L"ws2_32.dll"); // loaded already: this DLL imports it
    if (ws2 == nullptr) {
        ws2 = LoadLibraryW(L"ws2_32.dll");
    }
    if (ws2 == nullptr) {
        append(reason, size, "cannot load ws2_32.dll");
        return false;
    }
    Patch bind_patch;
    Patch listen_patch;
    const bool planned =
        plan_patch(ws2, "ws2_32", "bind", reinterpret_cast<void*>(&hooked_bind), bind_patch, reason,
                   size) &&
        plan_patch(ws2, "ws2_32", "listen", reinterpret_cast<void*>(&hooked_listen), listen_patch,
                   reason, size);
    if (!planned) {
        for (const auto* patch : {&bind_patch, &listen_patch}) {
            if (patch->block != nullptr) {
                VirtualFree(patch->block, 0, MEM_RELEASE);
            }
        }
        return false;
    }
    g_original_bind = reinterpret_cast<BindFunction>(bind_patch.block);
    g_original_listen = reinterpret_cast<ListenFunction>(listen_patch.block);
    if (!apply_patch(bind_patch) || !apply_patch(listen_patch)) {
        append(reason, size, "VirtualProtect refused to make ws2_32 writable");
        return false;
    }
    return true;
}

// "Local\golaunch-hook-<pid>", as hook_control_name() spells it.
void control_name(DWORD pid_of, wchar_t* name, std::size_t size) {
    const wchar_t prefix[] = L"Local\\golaunch-hook-";
    std::size_t used = 0;
    for (; prefix[used] != L'\0'; ++used) {
        name[used] = prefix[used];
    }
    wchar_t digits[16];
    std::size_t count = 0;
    for (DWORD pid = pid_of; count == 0 || pid != 0; pid /= 10) {
        digits[count++] = static_cast<wchar_t>(L'0' + pid % 10);
    }
    while (count > 0 && used + 1 < size) {
        name[used++] = digits[--count];
    }
    name[used] = L'\0';
}

// ---------------------------------------------------------------- following children

// Loads this DLL into `process` (suspended, just created) after writing its control block with
// a duplicate of our pipe handle. Bounded: a child that does not load it in time runs unhooked.
void follow_child(HANDLE process, DWORD pid) {
    BOOL wow64 = FALSE;
    if (!IsWow64Process(process, &wow64) || wow64) {
        return; // a 32-bit child cannot load this 64-bit DLL (nor run our LoadLibraryW address)
    }
    wchar_t name[64];
    control_name(pid, name, sizeof name / sizeof name[0]);
    HANDLE mapping = CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0,
                                        sizeof(HookControl), name);
    if (mapping == nullptr) {
        return;
    }
    auto* control = static_cast<HookControl*>(
        MapViewOfFile(mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof(HookControl)));
    if (control == nullptr) {
        CloseHandle(mapping);
        return;
    }
    HANDLE child_pipe = nullptr;
    AcquireSRWLockExclusive(&g_pipe_lock); // send_record may close g_pipe meanwhile
    const bool duplicated =
        g_reporting != 0 && DuplicateHandle(GetCurrentProcess(), g_pipe, process, &child_pipe, 0,
                                            FALSE, DUPLICATE_SAME_ACCESS) != FALSE;
    ReleaseSRWLockExclusive(&g_pipe_lock);
    std::memset(control, 0, sizeof(HookControl));
    control->magic = k_hook_control_magic;
    control->version = k_hook_protocol_version;
    control->pipe_handle = reinterpret_cast<std::uint64_t>(child_pipe);
    wchar_t path[MAX_PATH];
    const DWORD length = GetModuleFileNameW(g_module, path, MAX_PATH);
    if (duplicated && length > 0 && length < MAX_PATH) {
        const SIZE_T bytes = (length + 1) * sizeof(wchar_t);
        void* remote =
            VirtualAllocEx(process, nullptr, bytes, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
        const auto load = reinterpret_cast<LPTHREAD_START_ROUTINE>(reinterpret_cast<void*>(
            GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "LoadLibraryW")));
        if (remote != nullptr && load != nullptr &&
            WriteProcessMemory(process, remote, path, bytes, nullptr)) {
            HANDLE thread = CreateRemoteThread(process, nullptr, 0, load, remote, 0, nullptr);
            if (thread != nullptr) {
                if (WaitForSingleObject(thread, k_child_inject_timeout_ms) == WAIT_OBJECT_0) {
                    VirtualFreeEx(process, remote, 0, MEM_RELEASE);
                }
                CloseHandle(thread);
            }
        }
    }
    if (duplicated && control->state != static_cast<std::int32_t>(HookState::hooked)) {
        // Not hooked: take our pipe handle back out of the child (it would keep the pipe open).
        DuplicateHandle(process, child_pipe, nullptr, nullptr, 0, FALSE, DUPLICATE_CLOSE_SOURCE);
    }
    UnmapViewOfFile(control);
    CloseHandle(mapping);
}

// Whether this call should follow its child; marks the thread as inside CreateProcess (a
// kernel32 stub calling KernelBase's, or CreateProcessA calling CreateProcessW, is one call).
bool enter_create() {
    if (g_reporting == 0 || g_in_create == TLS_OUT_OF_INDEXES ||
        TlsGetValue(g_in_create) != nullptr) {
        return false;
    }
    TlsSetValue(g_in_create, reinterpret_cast<void*>(1));
    return true;
}

void leave_create(BOOL created, DWORD caller_flags, LPPROCESS_INFORMATION info) {
    const DWORD error = GetLastError();
    if (created && info != nullptr) {
        follow_child(info->hProcess, info->dwProcessId);
        if ((caller_flags & CREATE_SUSPENDED) == 0) {
            ResumeThread(info->hThread);
        }
    }
    TlsSetValue(g_in_create, nullptr);
    SetLastError(error);
}

// The CreateProcessW and CreateProcessA hooks: one body over the two character types, calling
// the original that `original` holds once the hook is in.
template <auto& original, typename Char, typename StartupInfo>
BOOL WINAPI hooked_create_process(const Char* application, Char* command_line,
                                  LPSECURITY_ATTRIBUTES process_attributes,
                                  LPSECURITY_ATTRIBUTES thread_attributes, BOOL inherit,
                                  DWORD flags, LPVOID environment, const Char* directory,
                                  StartupInfo* startup, LPPROCESS_INFORMATION info) {
    if (!enter_create()) {
        return original(application, command_line, process_attributes, thread_attributes, inherit,
                        flags, environment, directory, startup, info);
    }
    const BOOL created =
        original(application, command_line, process_attributes, thread_attributes, inherit,
                 flags | CREATE_SUSPENDED, environment, directory, startup, info);
    leave_create(created, flags, info);
    return created;
}

constexpr CreateProcessWFunction hooked_create_process_w =
    &hooked_create_process<g_original_create_w, wchar_t, STARTUPINFOW>;
constexpr CreateProcessAFunction hooked_create_process_a =
    &hooked_create_process<g_original_create_a, char, STARTUPINFOA>;

// KernelBase's CreateProcessW and CreateProcessA (kernel32's where there is no KernelBase). Not
// fatal: when a prologue is refused, bind()/listen() are still reported for this process.
void install_process_hooks() {
    const wchar_t* module_name = L"kernelbase.dll";
    const char* shown = "kernelbase";
    HMODULE module = GetModuleHandleW(module_name);
    if (module == nullptr) {
        module = GetModuleHandleW(L"kernel32.dll");
        shown = "kernel32";
    }
    g_in_create = TlsAlloc();
    if (module == nullptr || g_in_create == TLS_OUT_OF_INDEXES) {
        return;
    }
    char reason[256] = "";
    Patch create_w;
    Patch create_a;
    const bool planned = plan_patch(module, shown, "CreateProcessW",
                                    reinterpret_cast<void*>(hooked_create_process_w), create_w,
                                    reason, sizeof reason) &&
                         plan_patch(module, shown, "CreateProcessA",
                                    reinterpret_cast<void*>(hooked_create_process_a), create_a,
                                    reason, sizeof reason);
    if (!planned) {
        for (const auto* patch : {&create_w, &create_a}) {
            if (patch->block != nullptr) {
                VirtualFree(patch->block, 0, MEM_RELEASE);
            }
        }
        return;
    }
    g_original_create_w = reinterpret_cast<CreateProcessWFunction>(create_w.block);
    g_original_create_a = reinterpret_cast<CreateProcessAFunction>(create_a.block);
    apply_patch(create_w);
    apply_patch(create_a);
}

void start() {
    wchar_t name[64];
    control_name(GetCurrentProcessId(), name, sizeof name / sizeof name[0]);
    HANDLE mapping = OpenFileMappingW(FILE_MAP_READ | FILE_MAP_WRITE, FALSE, name);
    if (mapping == nullptr) {
        return; // not started by golaunch: do nothing
    }
    auto* control = static_cast<HookControl*>(
        MapViewOfFile(mapping, FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof(HookControl)));
    if (control == nullptr) {
        CloseHandle(mapping);
        return;
    }
    if (control->magic == k_hook_control_magic && control->version == k_hook_protocol_version) {
        control->reason[0] = '\0';
        control->pipe_name[127] = u'\0';
        g_pipe = control->pipe_handle != 0
                     ? reinterpret_cast<HANDLE>(control->pipe_handle) // from the parent's DLL
                     : CreateFileW(reinterpret_cast<const wchar_t*>(control->pipe_name),
                                   GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
        if (g_pipe == INVALID_HANDLE_VALUE) {
            append(control->reason, sizeof control->reason, "cannot open golaunch's pipe");
            control->state = static_cast<std::int32_t>(HookState::refused);
        } else if (install_hooks(control->reason, sizeof control->reason)) {
            install_process_hooks();
            InterlockedExchange(&g_reporting, 1);
            control->state = static_cast<std::int32_t>(HookState::hooked);
        } else {
            CloseHandle(g_pipe);
            g_pipe = INVALID_HANDLE_VALUE;
            control->state = static_cast<std::int32_t>(HookState::refused);
        }
    }
    UnmapViewOfFile(control);
    CloseHandle(mapping);
}

} // namespace
} // namespace golaunch

extern "C" BOOL WINAPI DllMain(HINSTANCE module, DWORD reason, LPVOID reserved) {
    if (reason == DLL_PROCESS_ATTACH) {
        DisableThreadLibraryCalls(module);
        golaunch::g_module = module;
        golaunch::start();
    } else if (reason == DLL_PROCESS_DETACH && reserved != nullptr) { // the process is ending
        golaunch::report_exit();
    }
    return TRUE;
}
