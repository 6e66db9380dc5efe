#include "supervise/output_target.hpp"

#include "util/error.hpp"

#include <fcntl.h>
#include <io.h>

#include <cerrno>
#include <cstring>

namespace golaunch {

namespace {

// Windows: plain blocking writes through the C runtime (no poll() on console handles or
// anonymous pipes); a closed pipe reader shows up as EINVAL/EPIPE from _write.
class CrtTarget final : public OutputTarget {
  public:
    CrtTarget(int fd, bool owned) : m_fd(fd), m_owned(owned) {}
    ~CrtTarget() override {
        if (m_owned) {
            ::_close(m_fd);
        }
    }
    CrtTarget(const CrtTarget&) = delete;
    CrtTarget& operator=(const CrtTarget&) = delete;

    Result write_some(std::string_view data, std::chrono::milliseconds) override {
        const unsigned size =
            data.size() > (1u << 20) ? (1u << 20) : static_cast<unsigned>(data.size());
        const int n = ::_write(m_fd, data.data(), size);
        if (n >= 0) {
            return {static_cast<std::size_t>(n), Status::ok};
        }
        return {0, errno == EPIPE || errno == EINVAL ? Status::closed : Status::error};
    }

  private:
    int m_fd;
    bool m_owned;
};

} // namespace

std::unique_ptr<OutputTarget> OutputTarget::standard_output() {
    ::_setmode(1, _O_BINARY);
    return std::make_unique<CrtTarget>(1, false);
}

std::unique_ptr<OutputTarget> OutputTarget::file(const std::string& path) {
    const int fd = ::_open(path.c_str(), _O_WRONLY | _O_CREAT | _O_TRUNC | _O_BINARY, 0644);
    if (fd < 0) {
        throw Error("cannot open " + path + ": " + std::strerror(errno));
    }
    return std::make_unique<CrtTarget>(fd, true);
}

void ignore_broken_pipe_signal() {}

// No safe self-signal here (raise() runs the handler on the calling thread, or terminates
// when none is set): the supervisor's own handler (Reporter::set_on_output_closed) is needed.
void request_own_stop() {}

} // namespace golaunch
