#include "supervise/output_writer.hpp"

#include <utility>

namespace golaunch {

namespace {

constexpr std::chrono::milliseconds k_wait_slice{50};
// Woken for a small batch, the thread waits this long for more before writing: a flood then
// costs one wake-up and one write() per millisecond, not one per line. Nobody sees 1 ms.
constexpr std::chrono::microseconds k_gather{1000};
constexpr std::size_t k_small_batch = 64 * 1024;

} // namespace

OutputWriter::OutputWriter(std::unique_ptr<OutputTarget> target, MarkerFormat marker)
    : OutputWriter(std::move(target), std::move(marker), Limits{}) {}

OutputWriter::OutputWriter(std::unique_ptr<OutputTarget> target, MarkerFormat marker, Limits limits)
    : m_target(std::move(target)), m_marker(std::move(marker)), m_limits(limits) {
    m_thread = std::thread([this] { run(); });
}

OutputWriter::~OutputWriter() {
    finish();
}

bool OutputWriter::service_line(std::string_view line) {
    return append(line, false);
}

bool OutputWriter::own_line(std::string_view line) {
    return append(line, true);
}

bool OutputWriter::append(std::string_view line, bool own) {
    std::unique_lock lock(m_mutex);
    if (m_closed) {
        return false;
    }
    const std::size_t queued = m_pending.size();
    if (m_dropping && queued <= m_limits.service_limit / 2) {
        m_dropping = false;
    }
    if (!own && queued + line.size() + 1 > m_limits.service_limit) {
        m_dropping = true;
    }
    if ((!own && m_dropping) || queued + line.size() + 1 > m_limits.total_limit) {
        ++m_dropped;
        ++m_dropped_total;
        return false;
    }
    if (m_dropped > 0) {
        m_pending.append(m_marker(m_dropped)).push_back('\n');
        m_dropped = 0;
    }
    m_pending.append(line).push_back('\n');
    if (m_idle) {
        m_idle = false;
        lock.unlock();
        m_wake.notify_one();
    }
    return true;
}

void OutputWriter::set_on_closed(std::function<void()> handler) {
    std::unique_lock lock(m_mutex);
    if (m_closed && handler) {
        lock.unlock();
        handler();
        return;
    }
    m_on_closed = std::move(handler);
}

bool OutputWriter::closed() const {
    std::lock_guard lock(m_mutex);
    return m_closed;
}

std::size_t OutputWriter::dropped_lines() const {
    std::lock_guard lock(m_mutex);
    return m_dropped_total;
}

void OutputWriter::finish() {
    if (!m_thread.joinable()) {
        return;
    }
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
        m_give_up = std::chrono::steady_clock::now() + m_limits.finish_limit;
    }
    m_wake.notify_one();
    m_thread.join();
}

void OutputWriter::run() {
    std::string batch;
    for (;;) {
        {
            std::unique_lock lock(m_mutex);
            m_idle = true;
            m_wake.wait(
                lock, [this] { return !m_pending.empty() || m_dropped > 0 || m_stop || m_closed; });
            m_idle = false;
            if (m_closed || (m_stop && m_pending.empty() && m_dropped == 0)) {
                return;
            }
            if (!m_stop && m_pending.size() < k_small_batch) {
                lock.unlock();
                std::this_thread::sleep_for(k_gather);
                lock.lock();
                if (m_closed) {
                    return;
                }
            }
            std::swap(batch, m_pending);
            if (m_pending.capacity() > 2 * m_limits.total_limit) {
                std::string().swap(m_pending);
            }
            if (m_dropped > 0) { // nothing queued after the drop: say so now
                batch.append(m_marker(m_dropped)).push_back('\n');
                m_dropped = 0;
            }
        }
        const bool ok = write_all(batch);
        batch.clear();
        if (!ok) {
            return;
        }
    }
}

// Writes `data`; false when the reader went away or finish() gave up.
bool OutputWriter::write_all(std::string_view data) {
    auto last_progress = std::chrono::steady_clock::now();
    while (!data.empty()) {
        const auto result = m_target->write_some(data, k_wait_slice);
        if (result.status != OutputTarget::Status::ok) {
            mark_closed();
            return false;
        }
        data.remove_prefix(result.written);
        const auto now = std::chrono::steady_clock::now();
        if (result.written > 0) {
            last_progress = now;
            continue;
        }
        std::lock_guard lock(m_mutex);
        if (m_stop && (now >= m_give_up || now - last_progress >= m_limits.stall_limit)) {
            return false; // finishing, and the reader does not read: leave the rest
        }
    }
    return true;
}

void OutputWriter::mark_closed() {
    std::function<void()> handler;
    {
        std::lock_guard lock(m_mutex);
        m_closed = true;
        std::string().swap(m_pending);
        handler = std::move(m_on_closed);
    }
    if (handler) {
        handler();
    }
}

} // namespace golaunch
