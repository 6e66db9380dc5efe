// The Go toolchain that builds `go = ...` services, and the settings that change how the built
// programs resolve names (GODEBUG netdns, netgo/netcgo tags, CGO_ENABLED, nsswitch.conf).
#pragma once

#include "preflight/check_context.hpp"

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace golaunch {

// What the Go check looks at; `from_this_process()` is what `golaunch run` would use.
struct GoEnvironment {
    std::map<std::string, std::string> variables; // PATH, GODEBUG, GOFLAGS, CGO_ENABLED, ...
    std::filesystem::path nsswitch_conf = "/etc/nsswitch.conf";
    std::chrono::milliseconds timeout{5000}; // for `go env`

    static GoEnvironment from_this_process();
};

// Only when a selected service has `go = ...`. Ids: go-missing (error), go-version (info),
// godebug-netdns (info: GODEBUG netdns=go/cgo or GOFLAGS -tags netgo/netcgo, in golaunch's
// environment or the service's env), go-resolver (info, or warning when the pure-Go resolver
// will skip nsswitch sources such as mdns or systemd-resolved that other programs use).
std::vector<Finding> check_go_toolchain(const CheckContext& context);
std::vector<Finding> check_go_toolchain(const CheckContext& context,
                                        const GoEnvironment& environment);

// The sources on the "hosts:" line of nsswitch.conf text ("files", "mdns4_minimal", "dns"),
// without [ACTION] items; empty when there is no such line.
std::vector<std::string> nsswitch_hosts_sources(const std::string& text);

} // namespace golaunch
