#include "supervise/readable_watch.hpp"

#include <boost/asio/posix/stream_descriptor.hpp>

namespace golaunch {

struct ReadableWatch::Impl {
    Impl(boost::asio::io_context& io, int fd, std::function<void()> callback)
        : stream(io, fd), on_readable(std::move(callback)) {}
    boost::asio::posix::stream_descriptor stream;
    std::function<void()> on_readable;
    bool cancelled = false;
};

ReadableWatch::ReadableWatch(boost::asio::io_context& io, int fd, std::function<void()> on_readable)
    : m_impl(std::make_unique<Impl>(io, fd, std::move(on_readable))) {}

ReadableWatch::~ReadableWatch() {
    m_impl->stream.release(); // the fd is its owner's to close
}

void ReadableWatch::arm() {
    if (m_impl->cancelled) {
        return;
    }
    m_impl->stream.async_wait(boost::asio::posix::stream_descriptor::wait_read,
                              [impl = m_impl.get()](const boost::system::error_code& ec) {
                                  if (!ec && !impl->cancelled) {
                                      impl->on_readable();
                                  }
                              });
}

void ReadableWatch::cancel() {
    m_impl->cancelled = true;
    boost::system::error_code ignored;
    m_impl->stream.cancel(ignored);
}

} // namespace golaunch
