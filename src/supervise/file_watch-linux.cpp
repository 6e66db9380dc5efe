#include "supervise/file_watch.hpp"

#include "supervise/readable_watch.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <map>

namespace golaunch {

struct FileWatch::Impl {
    UniqueFd fd;
    std::map<int, std::filesystem::path> dirs; // watch descriptor -> directory
    std::function<void(const std::filesystem::path&)> on_change;
    std::unique_ptr<ReadableWatch> readable;

    void drain() {
        alignas(inotify_event) char buffer[16384];
        while (true) {
            const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
            if (n <= 0) {
                break; // EAGAIN: all read
            }
            for (ssize_t at = 0; at < n;) {
                const auto* event = reinterpret_cast<const inotify_event*>(buffer + at);
                at += static_cast<ssize_t>(sizeof(inotify_event) + event->len);
                const auto dir = dirs.find(event->wd);
                if (dir == dirs.end() || event->len == 0) {
                    continue;
                }
                on_change(dir->second / std::string(event->name));
            }
        }
        readable->arm();
    }
};

FileWatch::FileWatch(boost::asio::io_context& io,
                     std::function<void(const std::filesystem::path&)> on_change)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->fd = UniqueFd(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
    if (!m_impl->fd.valid()) {
        throw Error(std::string("cannot watch files (inotify_init1): ") + std::strerror(errno));
    }
    m_impl->on_change = std::move(on_change);
    m_impl->readable = std::make_unique<ReadableWatch>(io, m_impl->fd.get(),
                                                       [impl = m_impl.get()] { impl->drain(); });
    m_impl->readable->arm();
}

FileWatch::~FileWatch() {
    m_impl->readable->cancel();
}

void FileWatch::add(const std::filesystem::path& dir) {
    const int wd = ::inotify_add_watch(m_impl->fd.get(), dir.c_str(),
                                       IN_CLOSE_WRITE | IN_CREATE | IN_DELETE | IN_MOVED_TO |
                                           IN_MOVED_FROM | IN_ONLYDIR);
    if (wd < 0) {
        throw Error("cannot watch " + dir.string() + ": " + std::strerror(errno),
                    ExitCode::service_failed,
                    errno == ENOSPC ? "raise fs.inotify.max_user_watches" : "");
    }
    m_impl->dirs[wd] = dir;
}

std::size_t FileWatch::size() const {
    return m_impl->dirs.size();
}

} // namespace golaunch
