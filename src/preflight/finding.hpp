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
};

bool has_errors(const std::vector<Finding>& findings);

} // namespace golaunch
