// The Windows half of the bind diagnosis: Winsock error codes as the injected hook reports
// them. Portable code (it only reads facts), so it is unit-tested on Linux as well.
#include "preflight/port_exclusion_check.hpp"
#include "supervise/bind_diagnosis.hpp"

namespace golaunch {

namespace {

constexpr int k_wsaeacces = 10013;
constexpr int k_wsaeaddrinuse = 10048;
constexpr int k_wsaeaddrnotavail = 10049;

struct WinsockCode {
    int code;
    const char* name;
    const char* text;
};

constexpr WinsockCode k_codes[] = {
    {10004, "WSAEINTR", "A blocking operation was interrupted"},
    {10009, "WSAEBADF", "The file handle supplied is not valid"},
    {k_wsaeacces, "WSAEACCES",
     "An attempt was made to access a socket in a way forbidden by its access permissions"},
    {10014, "WSAEFAULT", "The system detected an invalid pointer address"},
    {10022, "WSAEINVAL", "An invalid argument was supplied"},
    {10024, "WSAEMFILE", "Too many open sockets"},
    {10038, "WSAENOTSOCK", "An operation was attempted on something that is not a socket"},
    {10047, "WSAEAFNOSUPPORT", "An address incompatible with the requested protocol was used"},
    {k_wsaeaddrinuse, "WSAEADDRINUSE",
     "Only one usage of each socket address (protocol/network address/port) is normally "
     "permitted"},
    {k_wsaeaddrnotavail, "WSAEADDRNOTAVAIL", "The requested address is not valid in its context"},
    {10055, "WSAENOBUFS", "No buffer space available"},
    {10093, "WSANOTINITIALISED", "WSAStartup has not been called"},
};

const WinsockCode* find_code(int code) {
    for (const auto& known : k_codes) {
        if (known.code == code) {
            return &known;
        }
    }
    return nullptr;
}

bool applies_to(const ExcludedPortRange& excluded, const BindEvent& event) {
    return excluded.range.contains(event.port) && excluded.family == event.family;
}

bool has_holder(const BindEvent& event, const std::vector<PortUser>& users) {
    for (const auto& user : users) {
        if (user.socket.protocol == event.protocol && detail::holds_port(user.socket)) {
            return true;
        }
    }
    return false;
}

void explain_access_denied(const BindEvent& event, const std::vector<PortUser>& users,
                           const NetConfig& config, const WfpAudit* audit,
                           BindDiagnosis& diagnosis) {
    if (has_holder(event, users)) {
        diagnosis.message += ": access denied by the exclusive bind of the process holding "
                             "the port";
        diagnosis.facts = detail::holder_facts(event, users);
        diagnosis.facts.push_back("that socket was bound with SO_EXCLUSIVEADDRUSE (or it is a "
                                  "system service's), so Windows refuses to share the port");
        diagnosis.remedy = "stop the holder, or set on_port_conflict = \"next-free\"; "
                           "`golaunch who " +
                           std::to_string(event.port) + "` shows it again";
        return;
    }
    const ExcludedPortRange* found = nullptr;
    for (const auto& excluded : config.excluded_ranges) {
        if (applies_to(excluded, event)) {
            found = &excluded;
            break;
        }
    }
    if (found != nullptr) {
        diagnosis.message += ": port " + std::to_string(event.port) +
                             " is reserved by winnat/Hyper-V (excluded port range " +
                             range_text(found->range) + ")";
        diagnosis.facts.push_back(excluded_range_evidence(*found));
        diagnosis.facts.push_back("no process holds the port: the socket table has no owner");
        diagnosis.remedy = excluded_range_remedy(event.port);
        return;
    }
    // Neither a holder nor a reserved range: what is left is a filter in the Windows Filtering
    // Platform, which antivirus and endpoint products install to refuse listen() per program.
    const std::string program = event.launched.empty() ? "the service's exe" : event.launched;
    diagnosis.message += ": refused by a Windows Filtering Platform filter, most likely an "
                         "antivirus or endpoint security product's";
    diagnosis.facts.push_back("no process holds the port and it is in no excluded port range "
                              "(as read now; `netsh interface ipv4 show excludedportrange "
                              "protocol=tcp` lists them)");
    if (audit != nullptr && !audit->blocks.empty()) {
        const auto& block = audit->blocks.front(); // the newest
        diagnosis.message += " (the Security log confirms it)";
        diagnosis.facts.push_back(
            "Security log, event 5155 at " + block.time +
            ": \"The Windows Filtering Platform has blocked an application or service from "
            "listening on a port\": " +
            block.application + " (pid " + std::to_string(block.pid) + "), " +
            format_endpoint(block.address, block.port));
    } else {
        const std::string looked =
            audit == nullptr ? ""
            : audit->read    ? "no event 5155 naming it in the Security log of the last minutes; "
                             : audit->unread + "; ";
        diagnosis.facts.push_back(
            looked +
            "to confirm: run `auditpol /set /subcategory:\"Filtering Platform Connection\" "
            "/failure:enable` in a terminal opened with \"Run as administrator\", start the "
            "service again, and look in Event Viewer's Security log for event 5155 (\"The "
            "Windows Filtering Platform has blocked an application or service from listening on "
            "a port\") naming " +
            program);
    }
    diagnosis.remedy = "add an exclusion for " + program +
                       " in the security product (golaunch starts it from this same path every "
                       "time, so one exclusion lasts), or pick another port";
}

} // namespace

std::string winsock_error_name(int code) {
    const auto* known = find_code(code);
    return known ? known->name : "WSA error " + std::to_string(code);
}

std::string winsock_error_text(int code) {
    const auto* known = find_code(code);
    return known ? known->text : "";
}

namespace detail {

BindDiagnosis diagnose_winsock(const BindEvent& event, const std::vector<PortUser>& users,
                               const NetConfig& config, const WfpAudit* audit) {
    BindDiagnosis diagnosis;
    const std::string text = winsock_error_text(event.error);
    diagnosis.message = std::string(to_string(event.call)) + " " +
                        format_endpoint(event.address, event.port) + " failed with " +
                        winsock_error_name(event.error) +
                        (text.empty() ? "" : " " + std::to_string(event.error) + " (" + text + ")");
    switch (event.error) {
    case k_wsaeacces:
        explain_access_denied(event, users, config, audit, diagnosis);
        break;
    case k_wsaeaddrinuse:
        diagnosis.facts = holder_facts(event, users);
        diagnosis.remedy = "stop the holder, or set on_port_conflict = \"next-free\"; "
                           "`golaunch who " +
                           std::to_string(event.port) + "` shows it again";
        break;
    case k_wsaeaddrnotavail:
        diagnosis.facts.push_back(event.address + " is not an address of any interface here");
        diagnosis.remedy = "bind 127.0.0.1 or ::1 for local development (`ipconfig` lists the "
                           "addresses)";
        break;
    default:
        break;
    }
    return diagnosis;
}

} // namespace detail

} // namespace golaunch
