#include "platform/wfp_audit.hpp"

#include "util/wide_text.hpp"

#include <windows.h>
#include <winevt.h>

namespace golaunch {

namespace {

// EVT_HANDLE closed with EvtClose.
struct EvtHandle {
    explicit EvtHandle(EVT_HANDLE handle) : value(handle) {}
    ~EvtHandle() {
        if (value != nullptr) {
            EvtClose(value);
        }
    }
    EvtHandle(const EvtHandle&) = delete;
    EvtHandle& operator=(const EvtHandle&) = delete;
    EVT_HANDLE value;
};

std::string render_xml(EVT_HANDLE event) {
    DWORD used = 0;
    DWORD properties = 0;
    EvtRender(nullptr, event, EvtRenderEventXml, 0, nullptr, &used, &properties);
    if (GetLastError() != ERROR_INSUFFICIENT_BUFFER || used == 0) {
        return {};
    }
    std::wstring xml(used / sizeof(wchar_t) + 1, L'\0');
    if (!EvtRender(nullptr, event, EvtRenderEventXml, static_cast<DWORD>(xml.size() * 2),
                   xml.data(), &used, &properties)) {
        return {};
    }
    xml.resize(used / sizeof(wchar_t));
    while (!xml.empty() && xml.back() == L'\0') {
        xml.pop_back();
    }
    return from_wide(xml);
}

} // namespace

WfpAudit read_wfp_blocks(const std::string& exe, std::chrono::seconds window) {
    WfpAudit audit;
    const std::wstring query =
        L"*[System[(EventID=5155) and TimeCreated[timediff(@SystemTime) <= " +
        std::to_wstring(std::chrono::duration_cast<std::chrono::milliseconds>(window).count()) +
        L"]]]";
    const EvtHandle results(EvtQuery(nullptr, L"Security", query.c_str(),
                                     EvtQueryChannelPath | EvtQueryReverseDirection));
    if (results.value == nullptr) {
        const DWORD error = GetLastError();
        audit.unread = "the Security log could not be read: " + win32_error_text(error) +
                       (error == ERROR_ACCESS_DENIED ? " (it needs an Administrator)" : "");
        return audit;
    }
    audit.read = true;
    for (int batch = 0; batch < 20; ++batch) { // at most 20 x 16 events, newest first
        EVT_HANDLE events[16];
        DWORD returned = 0;
        if (!EvtNext(results.value, 16, events, 1000, 0, &returned) || returned == 0) {
            break;
        }
        for (DWORD i = 0; i < returned; ++i) {
            const EvtHandle event(events[i]);
            auto block = parse_wfp_block_event(render_xml(event.value));
            if (block && names_exe(*block, exe)) {
                audit.blocks.push_back(std::move(*block));
            }
        }
    }
    return audit;
}

} // namespace golaunch
