// A preflight finding: one thing that is (or may be) wrong, with evidence and a remedy.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

enum class Severity { info, warning, error };

const char* to_string(Severity severity);

// A process holding a port, as a finding names it.
struct FindingHolder {
    pid_t pid = 0;
    std::string exe; // or its name when the exe is hidden
    std::string user;
    std::string address;    // the local address of its socket on the port ("127.0.0.1", "::")
    std::string kind;       // to_string(HolderKind): "foreign", "running-golaunch", "stale-ours"...
    pid_t golaunch_pid = 0; // its GOLAUNCH_PID mark (0: none)
};

// What a finding is about, as fields for scripts (`--json`); each left empty (or 0) when it
// does not apply. README.md lists which ids set which.
struct FindingFields {
    std::string service;
    std::string port_name;
    std::uint16_t port = 0; // the port the finding is about (the manifest's, or the override)
    std::string address;    // the service's bind address ("" when not known)
    std::vector<FindingHolder> holders; // the processes holding `port`
    std::uint16_t to = 0;               // the port used (or to be used) instead of `port`
    std::string host;                   // a host name
    std::string file;       // a file the finding points into (hosts file, ports.toml, ...)
    int line = 0;           // 1-based line in `file`
    pid_t golaunch_pid = 0; // a running golaunch (project-running)
    std::string started_at; // since when it runs (ISO-8601)
};

struct Finding {
    std::string id; // stable: "port-in-use", "port-moved", ...
    Severity severity = Severity::info;
    std::string subject; // "api.http 8080", "api.shop.test"
    std::string message; // one sentence for a person
    std::vector<std::string>
        evidence;       // lines: "pid 4242 /usr/bin/python3 -m http.server (user bob)"
    std::string remedy; // what to do about it ("" when nothing)
    // The automatic remedy `golaunch fix` applies ("" when none): "move-port" (next free port
    // into .golaunch/ports.toml), "stop-stale" (our own stale instance), "hosts-block" (the
    // names in the project's block of the hosts file), "stop-process" (only with --force).
    std::string fix;
    FindingFields fields;
};

// The area a finding belongs to, from its id: "ports", "hosts", "ipv6", "firewall", "go",
// "project" (service dirs, .golaunch/), or "other". Used to group findings for a person.
std::string finding_area(const std::string& id);

// True when `golaunch fix` can apply the finding's remedy without --force.
bool fixable_automatically(const Finding& finding);

bool has_errors(const std::vector<Finding>& findings);

} // namespace golaunch
