#include "supervise/control_socket.hpp"

#include <sys/stat.h>

namespace golaunch {

void bind_owner_only(boost::asio::local::stream_protocol::acceptor& acceptor,
                     const std::filesystem::path& path, boost::system::error_code& ec) {
    // umask is per process: golaunch's other threads (the output writer, a monitor) create no
    // files, so the short window changes nothing of theirs.
    const mode_t old = ::umask(077);
    acceptor.bind(boost::asio::local::stream_protocol::endpoint(path.string()), ec);
    ::umask(old);
    if (!ec && ::chmod(path.c_str(), 0600) != 0) {
        ec.assign(errno, boost::system::system_category());
    }
}

} // namespace golaunch
