// Tells the event loop which files changed in a set of directories (not recursive), for
// `watch`, without polling: Linux inotify through the loop's ReadableWatch; Windows
// ReadDirectoryChangesW on overlapped directory handles, completed through the loop's I/O
// completion port.
#pragma once

#include <boost/asio/io_context.hpp>

#include <filesystem>
#include <functional>
#include <memory>

namespace golaunch {

class FileWatch {
  public:
    // `on_change` gets the path of each file written (closed after writing), created, moved
    // in or out, or deleted, from the event loop.
    FileWatch(boost::asio::io_context& io,
              std::function<void(const std::filesystem::path&)> on_change);
    ~FileWatch();
    FileWatch(const FileWatch&) = delete;
    FileWatch& operator=(const FileWatch&) = delete;

    // Watches `dir` too (once; adding it again does nothing). Throws golaunch::Error.
    void add(const std::filesystem::path& dir);
    std::size_t size() const;

  private:
    struct Impl;
    std::shared_ptr<Impl> m_impl; // Windows: completion handlers hold it weakly
};

} // namespace golaunch
