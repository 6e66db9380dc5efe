// The two steps golaunch takes in a suspended child before it resumes: publish the pipe name in
// a named shared block the hook DLL reads (HookControl), and load the DLL with a remote thread
// running LoadLibraryW. Failures come back as text (the monitor then falls back to polling).
#pragma once

#include "monitor/hook_protocol.hpp"
#include "util/unique_handle.hpp"

#include <windows.h>

#include <string>

namespace golaunch {

// `Local\golaunch-hook-<pid>`, alive while golaunch needs the DLL's answer.
class HookControlBlock {
  public:
    HookControlBlock() = default;
    HookControlBlock(const HookControlBlock&) = delete;
    HookControlBlock& operator=(const HookControlBlock&) = delete;
    ~HookControlBlock();

    // Creates the block for `pid` holding `pipe_name`. Returns "" or why it could not.
    std::string create(DWORD pid, const std::u16string& pipe_name);
    HookState state() const;
    // The DLL's reason for refusing, "" when it gave none.
    std::string reason() const;

  private:
    UniqueHandle m_mapping;
    HookControl* m_view = nullptr;
};

// Loads `dll` into the suspended `process` (CreateRemoteThread(LoadLibraryW)) and waits at most
// `timeout_ms` for it. Returns "" or why it failed; `returned_null` when LoadLibraryW's exit code
// was 0 (the caller confirms with the control block's state: the exit code is truncated).
std::string inject_hook_dll(HANDLE process, const std::wstring& dll, DWORD timeout_ms,
                            bool& returned_null);

} // namespace golaunch
