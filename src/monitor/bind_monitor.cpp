#include "monitor/bind_monitor.hpp"

#include "util/error.hpp"

namespace golaunch {

MonitorKind parse_monitor_kind(const std::string& text) {
    if (text == "auto") {
        return MonitorKind::automatic;
    }
    if (text == "notify") {
        return MonitorKind::notify;
    }
    if (text == "ptrace") {
        return MonitorKind::ptrace;
    }
    if (text == "hook") {
        return MonitorKind::hook;
    }
    if (text == "poll") {
        return MonitorKind::poll;
    }
    if (text == "off") {
        return MonitorKind::off;
    }
    throw Error("unknown --monitor '" + text + "'", ExitCode::usage,
                "use auto, notify, ptrace (Linux), hook (Windows), poll or off");
}

const char* to_string(MonitorKind kind) {
    switch (kind) {
    case MonitorKind::automatic:
        return "auto";
    case MonitorKind::notify:
        return "notify";
    case MonitorKind::ptrace:
        return "ptrace";
    case MonitorKind::hook:
        return "hook";
    case MonitorKind::poll:
        return "poll";
    case MonitorKind::off:
        return "off";
    }
    return "?";
}

BindEventHandler stamp_launched(const std::string& executable, BindEventHandler on_event) {
    return [executable, on_event = std::move(on_event)](const BindEvent& event) {
        BindEvent stamped = event;
        stamped.launched = executable;
        on_event(stamped);
    };
}

} // namespace golaunch
