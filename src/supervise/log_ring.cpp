#include "supervise/log_ring.hpp"

#include <algorithm>

namespace golaunch {

LogRing::LogRing(std::size_t max_lines, std::size_t max_bytes)
    : m_max_lines(std::max<std::size_t>(1, max_lines)), m_max_bytes(max_bytes) {}

const LogEntry& LogRing::append(std::chrono::system_clock::time_point time,
                                const std::string& service, const std::string& stream,
                                const std::string& line) {
    auto found = m_rings.find(service);
    if (found == m_rings.end()) {
        found = m_rings.emplace(service, Ring{}).first;
    }
    Ring& ring = found->second;
    // Drop the oldest while the new line would not fit in the byte budget (one line is always
    // kept, however long: it was split at the reader's limit).
    while (ring.count > 0 && ring.bytes + line.size() > m_max_bytes) {
        ring.bytes -= ring.slots[ring.first].line.size();
        ring.first = (ring.first + 1) % ring.slots.size();
        --ring.count;
    }
    if (ring.count == m_max_lines) {
        ring.bytes -= ring.slots[ring.first].line.size();
        ring.first = (ring.first + 1) % ring.slots.size();
        --ring.count;
    }
    if (ring.count == ring.slots.size()) { // every slot in use, fewer than max_lines: grow
        std::rotate(ring.slots.begin(),
                    ring.slots.begin() + static_cast<std::ptrdiff_t>(ring.first), ring.slots.end());
        ring.first = 0;
        ring.slots.emplace_back();
    }
    LogEntry& entry = ring.slots[(ring.first + ring.count) % ring.slots.size()];
    entry.time = time;
    entry.service.assign(service);
    entry.stream.assign(stream);
    entry.line.assign(line);
    ring.bytes += line.size();
    ++ring.count;
    return entry;
}

std::vector<LogEntry> LogRing::last(const std::vector<std::string>& services, std::size_t n) const {
    std::vector<LogEntry> out;
    for (const auto& [name, ring] : m_rings) {
        if (!services.empty() &&
            std::find(services.begin(), services.end(), name) == services.end()) {
            continue;
        }
        const std::size_t take = std::min(n, ring.count);
        for (std::size_t i = ring.count - take; i < ring.count; ++i) {
            out.push_back(ring.slots[(ring.first + i) % ring.slots.size()]);
        }
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const LogEntry& a, const LogEntry& b) { return a.time < b.time; });
    return out;
}

} // namespace golaunch
