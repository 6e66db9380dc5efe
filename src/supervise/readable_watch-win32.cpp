#include "supervise/readable_watch.hpp"

namespace golaunch {

struct ReadableWatch::Impl {};

ReadableWatch::ReadableWatch(boost::asio::io_context&, int, std::function<void()>)
    : m_impl(std::make_unique<Impl>()) {}

ReadableWatch::~ReadableWatch() = default;

void ReadableWatch::arm() {}

void ReadableWatch::cancel() {}

} // namespace golaunch
