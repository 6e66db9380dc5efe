// A preflight finding: one thing that is (or may be) wrong, with evidence and a remedy.
#pragma once

#include <string>
#include <vector>

namespace golaunch {

enum class Severity { info, warning, error };

const char* to_string(Severity severity);

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
};

// The area a finding belongs to, from its id: "ports", "hosts", "ipv6", "firewall", "go",
// "project" (service dirs, .golaunch/), or "other". Used to group findings for a person.
std::string finding_area(const std::string& id);

// True when `golaunch fix` can apply the finding's remedy without --force.
bool fixable_automatically(const Finding& finding);

bool has_errors(const std::vector<Finding>& findings);

} // namespace golaunch
