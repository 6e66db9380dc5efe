// golaunch's output must never hold up supervision: a reader that stalls (a paused terminal,
// `| less` left open, a full pipe nobody reads) would otherwise block the event loop in
// write(), and Ctrl-C would do nothing while the services run on.
//
// The choice: a writer thread with a bounded queue. The event loop only appends bytes to the
// queue under a mutex (no syscall, no wait); the thread writes them out in big chunks. When the
// queue holds `service_limit` bytes, service lines are dropped and counted, until it has
// drained to half that; the count is then written as one marker line
// (`[golaunch: 1234 lines dropped]`). golaunch's own lines are kept up to `total_limit`, a larger
// bound, and dropped (and counted) beyond it. Memory is bounded by about twice `total_limit`.
// When the reader goes away (EPIPE), everything further is discarded and `on_closed` runs
// once, on the writer thread. finish() drains what is queued, giving up when nothing could be
// written for `stall_limit` or after `finish_limit` in all.
#pragma once

#include "supervise/output_target.hpp"

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

namespace golaunch {

class OutputWriter {
  public:
    struct Limits {
        std::size_t service_limit = 1 << 20;
        std::size_t total_limit = 4 << 20;
        std::chrono::milliseconds stall_limit{1000};
        std::chrono::milliseconds finish_limit{5000};
    };
    // The marker line (without newline) for `dropped` lines.
    using MarkerFormat = std::function<std::string(std::size_t dropped)>;

    OutputWriter(std::unique_ptr<OutputTarget> target, MarkerFormat marker);
    OutputWriter(std::unique_ptr<OutputTarget> target, MarkerFormat marker, Limits limits);
    ~OutputWriter(); // finish()
    OutputWriter(const OutputWriter&) = delete;
    OutputWriter& operator=(const OutputWriter&) = delete;

    // Queue one line (a newline is added). Service lines may be dropped: returns false then.
    bool service_line(std::string_view line);
    bool own_line(std::string_view line);

    // Runs `handler` once when the reader goes away (at once if it already has). Runs on the
    // writer thread (or the caller's, if already closed); pass nullptr to unset.
    void set_on_closed(std::function<void()> handler);
    bool closed() const;
    std::size_t dropped_lines() const; // over the whole run, markers included or not yet

    // Writes out what is queued (bounded in time, see above) and stops the thread.
    // Idempotent; call from the thread that owns the writer.
    void finish();

  private:
    bool append(std::string_view line, bool own);
    void run();
    bool write_all(std::string_view data);
    void mark_closed();

    std::unique_ptr<OutputTarget> m_target;
    MarkerFormat m_marker;
    Limits m_limits;

    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    std::string m_pending;     // guarded: bytes waiting for the writer thread
    std::size_t m_dropped = 0; // guarded: dropped since the last marker
    std::size_t m_dropped_total = 0;
    bool m_dropping = false; // guarded: service lines dropped until the queue is half empty
    bool m_idle = false;     // guarded: the thread waits for work (notify only then)
    bool m_stop = false;     // guarded
    bool m_closed = false;   // guarded
    std::chrono::steady_clock::time_point m_give_up; // guarded: set by finish()
    std::function<void()> m_on_closed;               // guarded

    std::thread m_thread;
};

} // namespace golaunch
