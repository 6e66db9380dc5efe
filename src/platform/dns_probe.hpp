// Times a real resolution of host names the way Go's pure resolver does it: straight to the
// resolv.conf nameservers over UDP, A and AAAA in parallel, search list and ndots applied, with
// a deadline per name. Names are probed in parallel, at most `parallel` at once.
#pragma once

#include "platform/resolv_conf.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

enum class ProbeOutcome {
    answered,     // addresses came back
    no_such_host, // NXDOMAIN (or no A/AAAA record) for every name tried
    failed,       // every server replied with an error (SERVFAIL, REFUSED) or refused the port
    timed_out,    // the deadline passed first
};

const char* to_string(ProbeOutcome outcome);

struct ProbeResult {
    std::string name;
    ProbeOutcome outcome = ProbeOutcome::timed_out;
    std::chrono::milliseconds elapsed{0};
    std::vector<std::string> addresses;
    std::string server;                // "127.0.0.1:53": the one that gave the outcome
    bool any_reply = false;            // some nameserver answered anything at all
    std::vector<std::string> evidence; // one line per query that went wrong
};

struct ProbeOptions {
    std::chrono::milliseconds deadline{1500}; // per name
    std::size_t parallel = 8;                 // names at once
    std::uint16_t port = 53;                  // nameserver port (tests run their own server)
};

std::vector<ProbeResult> probe_names(const std::vector<std::string>& names, const ResolvConf& conf,
                                     const ProbeOptions& options);

// "answered in 312 ms: 127.0.0.1 (by 127.0.0.1:53)", "no answer within 200 ms", ...
std::string describe(const ProbeResult& result);

} // namespace golaunch
