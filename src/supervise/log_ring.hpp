// The last lines of each service, for `golaunch logs` (control_server.hpp): a bounded ring per
// service, by line count and by bytes, whichever is reached first. Appending reuses the slots'
// storage once the ring is full, so the log path does not allocate per line. Pure: no I/O.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>
#include <vector>

namespace golaunch {

struct LogEntry {
    std::chrono::system_clock::time_point time;
    std::string service;
    std::string stream; // "stdout" | "stderr"
    std::string line;
};

class LogRing {
  public:
    explicit LogRing(std::size_t max_lines = 2000, std::size_t max_bytes = 512 * 1024);

    const LogEntry& append(std::chrono::system_clock::time_point time, const std::string& service,
                           const std::string& stream, const std::string& line);

    // The last `n` lines of each of `services` ("" = every service), oldest first, merged by
    // time across services.
    std::vector<LogEntry> last(const std::vector<std::string>& services, std::size_t n) const;

  private:
    struct Ring {
        std::vector<LogEntry> slots;
        std::size_t first = 0; // oldest
        std::size_t count = 0;
        std::size_t bytes = 0;
    };
    std::size_t m_max_lines;
    std::size_t m_max_bytes;
    std::map<std::string, Ring, std::less<>> m_rings;
};

} // namespace golaunch
