#include "monitor/hook_injection-win32.hpp"

#include "util/wide_text.hpp"

#include <cstring>

namespace golaunch {

HookControlBlock::~HookControlBlock() {
    if (m_view != nullptr) {
        UnmapViewOfFile(m_view);
    }
}

std::string HookControlBlock::create(DWORD pid, const std::u16string& pipe_name) {
    const auto name = hook_control_name(pid);
    m_mapping.reset(CreateFileMappingW(INVALID_HANDLE_VALUE, nullptr, PAGE_READWRITE, 0,
                                       sizeof(HookControl),
                                       reinterpret_cast<const wchar_t*>(name.c_str())));
    if (!m_mapping.valid()) {
        return "CreateFileMapping: " + win32_error_text(GetLastError());
    }
    if (GetLastError() == ERROR_ALREADY_EXISTS) {
        return "a hook control block for pid " + std::to_string(pid) + " exists already";
    }
    m_view = static_cast<HookControl*>(
        MapViewOfFile(m_mapping.get(), FILE_MAP_READ | FILE_MAP_WRITE, 0, 0, sizeof(HookControl)));
    if (m_view == nullptr) {
        return "MapViewOfFile: " + win32_error_text(GetLastError());
    }
    std::memset(m_view, 0, sizeof(HookControl));
    m_view->magic = k_hook_control_magic;
    m_view->version = k_hook_protocol_version;
    const std::size_t capacity = sizeof m_view->pipe_name / sizeof m_view->pipe_name[0];
    if (pipe_name.size() >= capacity) {
        return "pipe name too long";
    }
    std::memcpy(m_view->pipe_name, pipe_name.c_str(), (pipe_name.size() + 1) * sizeof(char16_t));
    return {};
}

HookState HookControlBlock::state() const {
    return m_view == nullptr ? HookState::pending : static_cast<HookState>(m_view->state);
}

std::string HookControlBlock::reason() const {
    if (m_view == nullptr) {
        return {};
    }
    return std::string(m_view->reason, strnlen(m_view->reason, sizeof m_view->reason));
}

std::string inject_hook_dll(HANDLE process, const std::wstring& dll, DWORD timeout_ms,
                            bool& returned_null) {
    returned_null = false;
    const SIZE_T bytes = (dll.size() + 1) * sizeof(wchar_t);
    void* remote =
        VirtualAllocEx(process, nullptr, bytes, MEM_COMMIT | MEM_RESERVE, PAGE_READWRITE);
    if (remote == nullptr) {
        return "VirtualAllocEx: " + win32_error_text(GetLastError());
    }
    std::string failure;
    SIZE_T written = 0;
    // kernel32 is mapped at the same address in every process of a boot, so is LoadLibraryW.
    auto* load_library = reinterpret_cast<LPTHREAD_START_ROUTINE>(
        reinterpret_cast<void*>(GetProcAddress(GetModuleHandleW(L"kernel32.dll"), "LoadLibraryW")));
    if (!WriteProcessMemory(process, remote, dll.c_str(), bytes, &written) || written != bytes) {
        failure = "WriteProcessMemory: " + win32_error_text(GetLastError());
    } else if (load_library == nullptr) {
        failure = "no kernel32!LoadLibraryW";
    } else {
        UniqueHandle thread(
            CreateRemoteThread(process, nullptr, 0, load_library, remote, 0, nullptr));
        DWORD loaded = 0;
        if (!thread.valid()) {
            failure = "CreateRemoteThread: " + win32_error_text(GetLastError());
        } else if (WaitForSingleObject(thread.get(), timeout_ms) != WAIT_OBJECT_0) {
            // The thread may still finish; its memory stays (freeing it under it would crash).
            return "LoadLibraryW of the hook DLL did not return within " +
                   std::to_string(timeout_ms) + " ms";
        } else {
            // Only the low 32 bits of the HMODULE: 0 may (rarely) be a 4 GB-aligned success.
            returned_null = GetExitCodeThread(thread.get(), &loaded) && loaded == 0;
        }
    }
    VirtualFreeEx(process, remote, 0, MEM_RELEASE);
    return failure;
}

} // namespace golaunch
