#include "supervise/output_target.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits.h>

namespace golaunch {

namespace {

class FdTarget final : public OutputTarget {
  public:
    FdTarget(int fd, bool owned) : m_fd(fd), m_owned(owned) {
        struct stat st {};
        // Pipes, sockets and terminals can stall: wait for room with poll() and write at most
        // PIPE_BUF at a time, which fits in the room POLLOUT promises. Files and /dev/null
        // never stall: write big chunks.
        m_stalls = ::isatty(fd) == 1 ||
                   (::fstat(fd, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)));
    }
    ~FdTarget() override {
        if (m_owned) {
            ::close(m_fd);
        }
    }
    FdTarget(const FdTarget&) = delete;
    FdTarget& operator=(const FdTarget&) = delete;

    Result write_some(std::string_view data, std::chrono::milliseconds wait) override {
        std::size_t size = data.size();
        if (m_stalls) {
            pollfd pfd{m_fd, POLLOUT, 0};
            const int ready = ::poll(&pfd, 1, static_cast<int>(wait.count()));
            if (ready == 0 || (ready < 0 && errno == EINTR)) {
                return {};
            }
            size = std::min<std::size_t>(size, PIPE_BUF);
        }
        const ssize_t n = ::write(m_fd, data.data(), size);
        if (n >= 0) {
            return {static_cast<std::size_t>(n), Status::ok};
        }
        if (errno == EINTR || errno == EAGAIN) {
            return {};
        }
        return {0, errno == EPIPE ? Status::closed : Status::error};
    }

  private:
    int m_fd;
    bool m_owned;
    bool m_stalls = false;
};

} // namespace

std::unique_ptr<OutputTarget> OutputTarget::standard_output() {
    return std::make_unique<FdTarget>(STDOUT_FILENO, false);
}

std::unique_ptr<OutputTarget> OutputTarget::file(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        throw Error("cannot open " + path + ": " + std::strerror(errno));
    }
    return std::make_unique<FdTarget>(fd, true);
}

void ignore_broken_pipe_signal() {
    ::signal(SIGPIPE, SIG_IGN);
}

void request_own_stop() {
    ::kill(::getpid(), SIGTERM);
}

} // namespace golaunch
