#include "remedy/atomic_file.hpp"

#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace golaunch {

namespace {

Error file_error(const std::string& what, const std::filesystem::path& path, int error) {
    return Error("cannot " + what + " " + path.string() + ": " + std::strerror(error),
                 ExitCode::service_failed,
                 error == EACCES || error == EPERM || error == EROFS
                     ? "check the permissions of " + path.parent_path().string()
                     : std::string{});
}

bool write_all(int fd, const std::string& content) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
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

} // namespace

void write_file_atomically(const std::filesystem::path& path, const std::string& content) {
    const auto dir = path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
    std::error_code ignored;
    std::filesystem::create_directories(dir, ignored);
    mode_t mode = 0644;
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0) {
        mode = existing.st_mode & 07777;
    }
    std::string temp = (dir / ("." + path.filename().string() + ".tmp-XXXXXX")).string();
    UniqueFd fd(::mkstemp(temp.data()));
    if (!fd.valid()) {
        throw file_error("write", path, errno);
    }
    const auto fail = [&](const char* what) {
        const int error = errno;
        ::unlink(temp.c_str());
        throw file_error(what, path, error);
    };
    if (::fchmod(fd.get(), mode) != 0 || !write_all(fd.get(), content) || ::fsync(fd.get()) != 0) {
        fail("write");
    }
    fd.reset();
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        fail("replace");
    }
    const UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.valid()) {
        ::fsync(dir_fd.get());
    }
}

std::string read_whole_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw file_error("read", path, errno == 0 ? ENOENT : errno);
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

FileLock::FileLock(const std::filesystem::path& path) {
    std::error_code ignored;
    std::filesystem::create_directories(path.parent_path(), ignored);
    m_fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (m_fd < 0) {
        throw file_error("lock", path, errno);
    }
    while (::flock(m_fd, LOCK_EX) != 0 && errno == EINTR) {
    }
}

FileLock::~FileLock() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

} // namespace golaunch
