// A CheckContext for preflight check tests: an empty manifest unless given, the real socket
// table, and the endpoints the test declares.
#pragma once

#include "preflight/check_context.hpp"

#include <algorithm>
#include <string>
#include <vector>

namespace golaunch::test {

struct CheckFixture {
    Manifest manifest;
    std::vector<DeclaredEndpoint> endpoints;

    CheckContext context() const {
        return CheckContext{
            manifest, {}, declared_ports(manifest), endpoints, system_socket_table(), "/etc/hosts"};
    }
};

inline std::vector<std::string> ids_of(const std::vector<Finding>& findings) {
    std::vector<std::string> ids;
    for (const auto& finding : findings) {
        ids.push_back(finding.id);
    }
    return ids;
}

inline const Finding* find_id(const std::vector<Finding>& findings, const std::string& id) {
    const auto found = std::find_if(findings.begin(), findings.end(),
                                    [&](const Finding& f) { return f.id == id; });
    return found == findings.end() ? nullptr : &*found;
}

} // namespace golaunch::test
