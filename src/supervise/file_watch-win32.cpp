#include "supervise/file_watch.hpp"

#include "util/error.hpp"

namespace golaunch {

struct FileWatch::Impl {};

FileWatch::FileWatch(boost::asio::io_context&, std::function<void(const std::filesystem::path&)>)
    : m_impl(std::make_unique<Impl>()) {
    throw Error("watch is not available on Windows yet", ExitCode::service_failed,
                "`golaunch restart SERVICE` after a change");
}

FileWatch::~FileWatch() = default;

void FileWatch::add(const std::filesystem::path&) {}

std::size_t FileWatch::size() const {
    return 0;
}

} // namespace golaunch
