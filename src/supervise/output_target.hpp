// Where `golaunch run` writes: stdout or a file, written by OutputWriter's thread. The
// platform part: waiting until a pipe or terminal can take more without ever blocking for
// longer than asked (so a reader that stalls cannot hold golaunch's exit hostage), and telling
// a reader that went away (EPIPE) from other errors. Also the process-wide choices that go
// with it: SIGPIPE ignored, and how golaunch asks itself to stop when nobody can call the
// supervisor.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

namespace golaunch {

class OutputTarget {
  public:
    enum class Status { ok, closed, error };
    struct Result {
        std::size_t written = 0;
        Status status = Status::ok;
    };

    // golaunch's stdout (not owned).
    static std::unique_ptr<OutputTarget> standard_output();
    // A file, created or truncated.
    static std::unique_ptr<OutputTarget> file(const std::string& path);

    virtual ~OutputTarget() = default;
    // Writes a prefix of `data`, waiting at most `wait` for room; 0 bytes written with
    // Status::ok means no room yet. Status::closed: the reader went away (EPIPE).
    virtual Result write_some(std::string_view data, std::chrono::milliseconds wait) = 0;
};

// A write to a pipe without reader must fail with EPIPE, not kill golaunch with SIGPIPE.
// Children get the default disposition back before exec. Nothing to do on Windows.
void ignore_broken_pipe_signal();

// Asks golaunch to stop its services cleanly, as SIGTERM does (Linux: SIGTERM to itself, caught
// by the supervisor's signal set). Used when stdout closes and nobody registered a handler.
void request_own_stop();

} // namespace golaunch
