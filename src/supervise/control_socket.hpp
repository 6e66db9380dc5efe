// Binding the control socket so that only the user who runs golaunch can connect: on Linux the
// socket file is created 0600 (umask 077 around bind, then chmod: never a moment with more),
// on Windows it gets a protected DACL granting its owner alone (connect needs write access).
#pragma once

#include <boost/asio/local/stream_protocol.hpp>

#include <filesystem>

namespace golaunch {

void bind_owner_only(boost::asio::local::stream_protocol::acceptor& acceptor,
                     const std::filesystem::path& path, boost::system::error_code& ec);

} // namespace golaunch
