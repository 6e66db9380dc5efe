// The dnsserver fixture (tests/fixtures/dnsserver.go) on 127.0.0.1, a random UDP port.
#pragma once

#include "support/test_support.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace golaunch::test {

struct DnsServer {
    // `args`: the fixture's flags, e.g. {"-delay", "300ms", "-host", "a.test=127.0.0.1"}.
    explicit DnsServer(const std::vector<std::string>& args);
    TempDir dir;
    std::uint16_t port = 0; // 0 when it did not start within 10 s
    std::unique_ptr<ChildProcess> child;
    // "1 a.test" per query received (1 = A, 28 = AAAA), in arrival order.
    std::vector<std::string> queries() const;
    // The most queries it has held at once, received and not yet replied to (0: none yet).
    int most_unanswered() const;
    // A resolv.conf naming 127.0.0.1 (plus `extra` lines), written in dir.
    std::filesystem::path resolv_conf(const std::string& extra = "") const;
};

} // namespace golaunch::test
