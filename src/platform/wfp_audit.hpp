// Event 5155 of the Security log: "The Windows Filtering Platform has blocked an application or
// service from listening on a port". It is logged when auditing of "Filtering Platform
// Connection" failures is on, and it is how a listen() refused by an antivirus's or endpoint
// product's WFP filter (WSAEACCES 10013 with nobody on the port) is confirmed. The parser is
// portable (tested on Linux with the XML Windows renders); the reader is wfp_audit-win32.cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace golaunch {

struct WfpBlockEvent {
    std::string time;        // TimeCreated's SystemTime, "2026-12-06T03:50:01.1234567Z"
    std::uint32_t pid = 0;   // ProcessId
    std::string application; // Application: "\device\harddiskvolume3\work\...\api.exe"
    std::string address;     // SourceAddress
    std::uint16_t port = 0;  // SourcePort
    int protocol = 0;        // 6 TCP, 17 UDP
};

// One event as EvtRender(EvtRenderEventXml) gives it; nullopt when it is not a 5155 event.
std::optional<WfpBlockEvent> parse_wfp_block_event(const std::string& xml);

// True when the event's Application (an NT device path) is `exe` (a DOS path such as
// "C:\work\shop\.golaunch\bin\api.exe"): the same path after the volume, case-insensitive.
bool names_exe(const WfpBlockEvent& event, const std::string& exe);

struct WfpAudit {
    bool read = false;                 // the Security log was queried
    std::string unread;                // why not (not an administrator, no such log, ...)
    std::vector<WfpBlockEvent> blocks; // 5155 events of the last minutes naming the exe
};

// Windows: the 5155 events of the last `window` naming `exe`. Linux: nothing to read.
WfpAudit read_wfp_blocks(const std::string& exe, std::chrono::seconds window);

} // namespace golaunch
