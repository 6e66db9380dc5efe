#include "util/regular_file.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace golaunch {

namespace {

std::string kind_of(mode_t mode) {
    using std::filesystem::file_type;
    const file_type type = S_ISDIR(mode)    ? file_type::directory
                           : S_ISFIFO(mode) ? file_type::fifo
                           : S_ISCHR(mode)  ? file_type::character
                           : S_ISBLK(mode)  ? file_type::block
                           : S_ISSOCK(mode) ? file_type::socket
                                            : file_type::unknown;
    return file_type_text(type);
}

// Empty when `info` describes a regular file within the cap.
std::string check_stat(const struct stat& info, std::uint64_t max_bytes) {
    if (!S_ISREG(info.st_mode)) {
        return "not a regular file (" + kind_of(info.st_mode) + ")";
    }
    if (static_cast<std::uint64_t>(info.st_size) > max_bytes) {
        return too_large_problem(static_cast<std::uint64_t>(info.st_size), max_bytes);
    }
    return {};
}

FileContent failed(std::string problem) {
    return {{}, std::move(problem), 0};
}

FileContent failed_with(int error) {
    return {{}, std::strerror(error), error};
}

} // namespace

FileContent read_regular_file(const std::filesystem::path& path, std::uint64_t max_bytes) {
    // stat first so that a device is never even opened (opening some has side effects); then
    // open without blocking (a FIFO swapped in meanwhile) and check what was really opened.
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0) {
        return failed_with(errno);
    }
    if (auto problem = check_stat(info, max_bytes); !problem.empty()) {
        return failed(std::move(problem));
    }
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid()) {
        return failed_with(errno);
    }
    if (::fstat(fd.get(), &info) != 0) {
        return failed_with(errno);
    }
    if (auto problem = check_stat(info, max_bytes); !problem.empty()) {
        return failed(std::move(problem));
    }
    FileContent content;
    content.bytes.reserve(static_cast<std::size_t>(info.st_size));
    char buffer[65536];
    while (true) {
        const ssize_t count = ::read(fd.get(), buffer, sizeof buffer);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count < 0) {
            return failed_with(errno);
        }
        if (count == 0) {
            return content;
        }
        content.bytes.append(buffer, static_cast<std::size_t>(count));
        if (content.bytes.size() > max_bytes) { // grew while we read
            return failed(too_large_problem(content.bytes.size(), max_bytes));
        }
    }
}

} // namespace golaunch
