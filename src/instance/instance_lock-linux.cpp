#include "instance/instance_lock.hpp"

#include "instance/private_dir.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace golaunch {

namespace {

int fd_of(std::intptr_t handle) {
    return static_cast<int>(handle);
}

// The whole content of `fd` from offset 0 ("" on a read error).
std::string read_record(int fd) {
    std::string text;
    char buffer[4096];
    for (off_t offset = 0;;) {
        const ssize_t n = ::pread(fd, buffer, sizeof buffer, offset);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(n));
        offset += n;
    }
    return text;
}

bool write_record(int fd, const std::string& text) {
    if (::ftruncate(fd, 0) != 0) {
        return false;
    }
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n =
            ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// The holder writes its record just after taking the lock: a reader may see the file empty or
// half written for that moment. Bounded: 20 tries, 5 ms apart.
std::optional<LockOwner> read_holder(int fd) {
    for (int attempt = 0; attempt < 20; ++attempt) {
        if (auto owner = parse_lock_owner(read_record(fd))) {
            return owner;
        }
        ::usleep(5000);
    }
    return std::nullopt;
}

} // namespace

LockAttempt try_lock_instance(const std::filesystem::path& lock_file, const LockOwner& me) {
    UniqueFd fd(static_cast<int>(open_private_file(lock_file, "open the instance lock")));
    LockAttempt attempt;
    int result = 0;
    while ((result = ::flock(fd.get(), LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (result != 0) {
        if (errno != EWOULDBLOCK) {
            throw Error("cannot lock " + lock_file.string() + ": " + std::strerror(errno));
        }
        attempt.other = read_holder(fd.get());
        return attempt;
    }
    attempt.other = parse_lock_owner(read_record(fd.get()));
    if (!write_record(fd.get(), format_lock_owner(me))) {
        throw Error("cannot write the instance lock " + lock_file.string() + ": " +
                    std::strerror(errno));
    }
    attempt.lock.reset(new InstanceLock(fd.release()));
    return attempt;
}

InstanceLock::~InstanceLock() {
    // Cleared first, then released: an empty file under a free lock means a clean exit.
    [[maybe_unused]] const int cleared = ::ftruncate(fd_of(m_handle), 0);
    ::close(fd_of(m_handle));
}

} // namespace golaunch
