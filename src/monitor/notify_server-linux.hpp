// The thread that answers seccomp notifications for every monitored service. One epoll set
// over all listener fds; each bind/listen is emulated (bind_emulation-linux) and answered at
// once, then reported through the session's handler. Runs for golaunch's whole life: a filter
// cannot be removed, and a bind nobody answers fails with ENOSYS.
#pragma once

#include "monitor/bind_monitor.hpp"
#include "util/unique_fd.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <thread>

namespace golaunch {

class NotifyServer {
  public:
    NotifyServer(); // throws golaunch::Error
    ~NotifyServer();
    NotifyServer(const NotifyServer&) = delete;
    NotifyServer& operator=(const NotifyServer&) = delete;

    // Starts answering `listener` (taken over). Returns a key for remove().
    std::uint64_t add(UniqueFd listener, BindEventHandler on_event);
    // Stops answering and closes the listener; no handler call happens after it returns.
    void remove(std::uint64_t key);

  private:
    struct Entry {
        UniqueFd listener;
        BindEventHandler on_event;
    };
    void serve();
    void answer(std::uint64_t key);

    UniqueFd m_epoll;
    UniqueFd m_wakeup; // eventfd: tells the thread to stop
    std::mutex m_mutex;
    std::map<std::uint64_t, Entry> m_entries;
    std::uint64_t m_next_key = 1;
    std::thread m_thread;
};

} // namespace golaunch
