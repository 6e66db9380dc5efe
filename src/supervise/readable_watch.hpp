// Tells the event loop when a descriptor someone else owns becomes readable, once per arm():
// the cgroup watcher's inotify fd (a service's cgroup emptied or filled) and the orphan guard's
// pidfd (the guard died). Linux: an Asio posix::stream_descriptor that never closes the fd.
// Windows has neither descriptor (the Job Object holds the tree, and there is no guard
// process): there it never fires.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <memory>

namespace golaunch {

class ReadableWatch {
  public:
    ReadableWatch(boost::asio::io_context& io, int fd, std::function<void()> on_readable);
    ~ReadableWatch();
    ReadableWatch(const ReadableWatch&) = delete;
    ReadableWatch& operator=(const ReadableWatch&) = delete;

    // Calls on_readable once, when the fd is next readable (not after cancel()).
    void arm();
    void cancel();

  private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

} // namespace golaunch
