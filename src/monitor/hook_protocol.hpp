// What the Windows hook DLL (src/monitor/hook_dll) and golaunch exchange. Portable and plain:
// the DLL includes it without the C++ library, the Linux tests check the conversion.
//
// Before the child resumes, golaunch creates a named file mapping `Local\golaunch-hook-<pid>`
// holding a HookControl with the pipe name; the DLL, loaded into that pid, reads it, installs the
// hooks and writes back whether it could. Each hooked call then writes one HookRecord to the pipe.
// The DLL follows the processes the service starts the same way (a block per child pid, the DLL
// injected while the child is suspended), so their records come down the same pipe.
#pragma once

#include "monitor/bind_event.hpp"

#include <cstdint>
#include <string>

namespace golaunch {

inline constexpr std::uint32_t k_hook_record_magic = 0x4b4f4847;  // "GHOK"
inline constexpr std::uint32_t k_hook_control_magic = 0x4c544347; // "GCTL"
inline constexpr std::uint32_t k_hook_protocol_version = 3;

// exit: the process is ending (ExitProcess: the DLL's DLL_PROCESS_DETACH), so no record of its
// pid follows. Only pid, tid and filetime are set. A process that is terminated sends none.
enum class HookCall : std::uint8_t { bind = 0, listen = 1, exit = 2 };

// One bind() or listen() and its result, as the hook saw it. 56 bytes, written whole.
struct HookRecord {
    std::uint32_t magic;
    std::uint8_t call;        // HookCall
    std::uint8_t family;      // 4, 6, or 0 when the sockaddr was unreadable
    std::uint8_t socket_type; // SOCK_STREAM 1, SOCK_DGRAM 2, 0 unknown
    std::uint8_t reserved0;
    std::uint32_t pid;
    std::uint32_t tid;
    std::uint8_t address[16]; // network order; IPv4 in the first 4 bytes
    std::uint16_t port;       // host order (listen: from getsockname)
    std::uint16_t reserved1;
    std::int32_t result; // the function's return value (0 or SOCKET_ERROR)
    std::int32_t error;  // WSAGetLastError() when result != 0, else 0
    std::uint32_t reserved2;
    std::uint64_t filetime; // GetSystemTimePreciseAsFileTime: 100 ns since 1601-01-01 UTC
};
static_assert(sizeof(HookRecord) == 56, "the wire record has a fixed size");

enum class HookState : std::int32_t { pending = 0, hooked = 1, refused = 2 };

// The shared block. golaunch writes magic, version and pipe_name; the DLL writes state and reason.
// For a process a hooked service starts (CreateProcessW/A), the service's DLL writes the block
// itself and sets pipe_handle: its own pipe handle, duplicated into the new process, which uses
// it instead of opening pipe_name (the pipe has one instance, connected already).
struct HookControl {
    std::uint32_t magic;
    std::uint32_t version;
    char16_t pipe_name[128];     // NUL-terminated UTF-16
    volatile std::int32_t state; // HookState
    char reason[256];            // NUL-terminated ASCII, why the hooks were not installed
    std::uint64_t pipe_handle;   // 0, or a HANDLE to the pipe valid in the process it is for
};

// The mapping's name for a child pid: "Local\golaunch-hook-<pid>".
std::u16string hook_control_name(std::uint32_t pid);

// "\\.\pipe\golaunch-<golaunch pid>-<service pid>-<nonce in hex>".
std::u16string hook_pipe_name(std::uint32_t golaunch_pid, std::uint32_t service_pid,
                              std::uint64_t nonce);

// "127.0.0.1", "::1", "::ffff:127.0.0.1" (RFC 5952 compression).
std::string format_hook_address(std::uint8_t family, const std::uint8_t* address);

// The record as a BindEvent (error = the WSA code, wsa = true). False when the record is not one
// (bad magic or call, or an exit record).
bool to_bind_event(const HookRecord& record, BindEvent& event);

// Whether the record says that process `pid` is ending (nothing more of it follows).
bool is_exit_record(const HookRecord& record, std::uint32_t pid);

} // namespace golaunch
