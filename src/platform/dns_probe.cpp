#include "platform/dns_probe.hpp"

#include "util/strings.hpp"

namespace golaunch {

const char* to_string(ProbeOutcome outcome) {
    switch (outcome) {
    case ProbeOutcome::answered:
        return "answered";
    case ProbeOutcome::no_such_host:
        return "no such host";
    case ProbeOutcome::failed:
        return "failed";
    case ProbeOutcome::timed_out:
        return "timed out";
    }
    return "?";
}

std::string describe(const ProbeResult& result) {
    const std::string ms = std::to_string(result.elapsed.count()) + " ms";
    const std::string by = result.server.empty() ? "" : " (" + result.server + ")";
    switch (result.outcome) {
    case ProbeOutcome::answered:
        return "answered in " + ms + ": " + join(result.addresses, ", ") + by;
    case ProbeOutcome::no_such_host:
        return "no such host (NXDOMAIN) in " + ms + by;
    case ProbeOutcome::failed:
        return "every nameserver failed, after " + ms;
    case ProbeOutcome::timed_out:
        return "no answer within " + ms;
    }
    return "";
}

} // namespace golaunch
