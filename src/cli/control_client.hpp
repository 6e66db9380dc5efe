// The client side of a running golaunch's control socket (supervise/control_server.hpp): one
// request per connection, HTTP/1.1 through Boost.Beast over AF_UNIX.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace golaunch {

struct ControlResponse {
    unsigned status = 0;
    std::string body;
};

// A stream (GET /logs?follow=1, GET /events) once its header has been read: read_line() gives
// each NDJSON line, without its newline, until the run ends the stream (then false).
class ControlStream {
  public:
    ~ControlStream();
    ControlStream(ControlStream&&) noexcept;
    ControlStream& operator=(ControlStream&&) noexcept;
    unsigned status() const;
    bool read_line(std::string& line);
    // The body when status() is not 200 (an error document).
    std::string rest();

  private:
    friend class ControlClient;
    struct Impl;
    explicit ControlStream(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

class ControlClient {
  public:
    // `root_dir` is the project's directory (the manifest's); its run listens on
    // .golaunch/control.sock there.
    explicit ControlClient(std::filesystem::path root_dir);

    // Throws golaunch::Error when no run listens (exit 1, with the hint to start one) or the
    // socket is not ours to reach (permission denied).
    ControlResponse request(const std::string& method, const std::string& target) const;
    ControlStream stream(const std::string& target) const;

    const std::filesystem::path& socket_path() const { return m_socket; }

  private:
    std::filesystem::path m_root;
    std::filesystem::path m_socket;
};

// "a b/c" -> "a%20b%2Fc": a service name as a path segment or query value.
std::string url_encode(const std::string& text);

} // namespace golaunch
