#include "supervise/exit_status.hpp"

#include <cstdio>

namespace golaunch {

namespace {

// NTSTATUS values a crashed or interrupted process exits with.
const char* ntstatus_name(unsigned long code) {
    switch (code) {
    case 0xC0000005UL:
        return "access violation";
    case 0xC00000FDUL:
        return "stack overflow";
    case 0xC0000094UL:
        return "integer division by zero";
    case 0xC000001DUL:
        return "illegal instruction";
    case 0xC0000409UL:
        return "stack buffer overrun";
    case 0xC000013AUL:
        return "Ctrl-C or Ctrl-Break";
    case 0xC0000142UL:
        return "DLL initialization failed";
    case 0xC0000135UL:
        return "a DLL was not found";
    default:
        return nullptr;
    }
}

} // namespace

std::string describe_exit(int native_status) {
    const auto code = static_cast<unsigned long>(static_cast<unsigned int>(native_status));
    if (code == k_killed_exit_code) {
        return "terminated by golaunch (TerminateJobObject)";
    }
    if (const char* name = ntstatus_name(code)) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%08lX", code);
        return std::string("ended by ") + name + " (" + hex + ")";
    }
    if (code >= 0xC0000000UL) {
        char hex[16];
        std::snprintf(hex, sizeof hex, "0x%08lX", code);
        return std::string("crashed with status ") + hex;
    }
    return "exited with status " + std::to_string(code);
}

bool exited_successfully(int native_status) {
    return native_status == 0;
}

} // namespace golaunch
