#include "instance/atomic_file.hpp"

#include "instance/private_dir.hpp"
#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

namespace golaunch {

namespace {

Error file_error(const std::string& what, const std::filesystem::path& path, int error) {
    return Error("cannot " + what + " " + path.string() + ": " + std::strerror(error),
                 ExitCode::service_failed,
                 error == EACCES || error == EPERM || error == EROFS
                     ? "check the permissions of " + path.parent_path().string()
                     : std::string{});
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
    return path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
}

// false with errno set when a write fails.
bool write_all(int fd, const std::string& content) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            errno = n == 0 ? EIO : errno;
            return false;
        }
        done += static_cast<std::size_t>(n);
    }
    return true;
}

// Best effort: a file system without xattrs, or one we may not set, leaves `fd` without them.
void copy_xattrs(const std::filesystem::path& from, int fd) {
    std::vector<char> names(4096);
    const ssize_t length = ::listxattr(from.c_str(), names.data(), names.size());
    for (ssize_t at = 0; at < length;) {
        const char* name = names.data() + at;
        at += static_cast<ssize_t>(std::strlen(name)) + 1;
        std::vector<char> value(65536);
        const ssize_t size = ::getxattr(from.c_str(), name, value.data(), value.size());
        if (size >= 0) {
            ::fsetxattr(fd, name, value.data(), static_cast<std::size_t>(size), 0);
        }
    }
}

UniqueFd create_temp(const std::filesystem::path& destination, std::filesystem::path& temp) {
    if (!temp.empty()) {
        return UniqueFd(
            ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    }
    std::string name =
        (directory_of(destination) / ("." + destination.filename().string() + ".tmp-XXXXXX"))
            .string();
    UniqueFd fd(::mkostemp(name.data(), O_CLOEXEC));
    temp = name;
    return fd;
}

// Owner, mode, xattrs, content and fsync; the failing step (errno set) or nothing.
std::optional<FileWriteFailure::Step> fill_temp(int fd, const std::string& content,
                                                const StageOptions& options) {
    using Step = FileWriteFailure::Step;
    if (options.owner && ::fchown(fd, options.owner->uid, options.owner->gid) != 0 &&
        (options.owner->uid != ::geteuid() || options.owner->gid != ::getegid())) {
        return Step::owner;
    }
    if (::fchmod(fd, options.mode & 07777) != 0) {
        return Step::mode;
    }
    if (!options.copy_xattrs_from.empty()) {
        copy_xattrs(options.copy_xattrs_from, fd);
    }
    if (!write_all(fd, content)) {
        return Step::write;
    }
    if (options.durability == Durability::synced && ::fsync(fd) != 0) {
        return Step::sync;
    }
    return std::nullopt;
}

void fsync_directory(const std::filesystem::path& dir) {
    const UniqueFd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir_fd.valid()) {
        ::fsync(dir_fd.get());
    }
}

} // namespace

std::string FileWriteFailure::reason() const {
    return std::strerror(error);
}

StagedFile::StagedFile(std::filesystem::path destination, const std::string& content,
                       const StageOptions& options)
    : m_destination(std::move(destination)), m_temp(options.temp),
      m_durability(options.durability) {
    const UniqueFd fd = create_temp(m_destination, m_temp);
    const auto failed =
        fd.valid() ? fill_temp(fd.get(), content, options) : FileWriteFailure::Step::create;
    if (failed) {
        const int error = errno;
        if (fd.valid()) {
            ::unlink(m_temp.c_str());
        }
        m_failure = FileWriteFailure{*failed, m_temp, error};
        m_temp.clear();
    }
}

StagedFile::~StagedFile() {
    if (!m_temp.empty() && !m_kept) {
        ::unlink(m_temp.c_str());
    }
}

std::optional<FileWriteFailure> StagedFile::rename_into_place() {
    if (m_failure) {
        return m_failure;
    }
    if (::rename(m_temp.c_str(), m_destination.c_str()) != 0) {
        return FileWriteFailure{FileWriteFailure::Step::rename, m_destination, errno};
    }
    m_temp.clear();
    if (m_durability == Durability::synced) {
        fsync_directory(directory_of(m_destination));
    }
    return std::nullopt;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content,
                           Durability durability) {
    std::error_code ignored;
    std::filesystem::create_directories(directory_of(path), ignored);
    StageOptions options;
    options.durability = durability;
    struct stat existing {};
    if (::stat(path.c_str(), &existing) == 0) {
        options.mode = existing.st_mode & 07777;
    }
    StagedFile staged(path, content, options);
    if (const auto failure = staged.rename_into_place()) {
        throw file_error(failure->step == FileWriteFailure::Step::rename ? "replace" : "write",
                         path, failure->error);
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
    const int fd = static_cast<int>(open_private_file(path, "lock"));
    m_handle = fd;
    while (::flock(fd, LOCK_EX) != 0 && errno == EINTR) {
    }
}

FileLock::~FileLock() {
    if (m_handle >= 0) {
        ::close(static_cast<int>(m_handle));
    }
}

} // namespace golaunch
