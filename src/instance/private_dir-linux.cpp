// Linux: lstat for the link checks, O_NOFOLLOW for every open (ELOOP on a link).
#include "instance/private_dir.hpp"

#include "util/regular_file.hpp"
#include "util/strings.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace golaunch {

namespace {

std::filesystem::path directory_of(const std::filesystem::path& file) {
    return file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
}

bool is_permission_error(int error) {
    return error == EACCES || error == EPERM || error == EROFS;
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& file, int error) {
    if (error == ELOOP) {
        throw link_refused(file);
    }
    throw Error("cannot " + what + " " + file.string() + ": " + std::strerror(error),
                ExitCode::service_failed,
                is_permission_error(error)
                    ? "check the permissions of " + directory_of(file).string()
                    : std::string{});
}

// Opening `file` for writing failed: a permission problem names what is not writable (the file
// when it exists, else its directory).
[[noreturn]] void fail_to_write(const std::string& what, const std::filesystem::path& file,
                                int error) {
    if (is_permission_error(error)) {
        struct stat info {};
        const bool exists = ::lstat(file.c_str(), &info) == 0;
        throw not_writable("cannot " + what + " " + file.string(),
                           exists ? file : directory_of(file), std::strerror(error));
    }
    fail(what, file, error);
}

} // namespace

bool is_link(const std::filesystem::path& path) {
    struct stat info {};
    return ::lstat(path.c_str(), &info) == 0 && S_ISLNK(info.st_mode);
}

std::intptr_t open_private_file(const std::filesystem::path& file, const std::string& what) {
    ensure_private_dir(directory_of(file));
    const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        fail_to_write(what, file, errno);
    }
    return fd;
}

std::optional<std::string> read_private_file(const std::filesystem::path& file) {
    check_private_dirs(directory_of(file));
    // O_NONBLOCK: a FIFO planted here must not block the open or the read.
    const UniqueFd fd(::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
    if (!fd.valid()) {
        if (errno == ENOENT) {
            return std::nullopt;
        }
        fail("read", file, errno);
    }
    struct stat info {};
    if (::fstat(fd.get(), &info) != 0) {
        fail("read", file, errno);
    }
    if (!S_ISREG(info.st_mode)) {
        const FileContent probe = read_regular_file(file); // says what it is; opens no device
        throw Error("cannot read " + file.string() + ": " +
                        (probe.ok() ? std::string("not a regular file") : probe.problem),
                    ExitCode::service_failed,
                    "golaunch keeps only its own files in .golaunch/: remove it (`rm -r " +
                        shell_quote(file.string()) + "`) and run again");
    }
    if (static_cast<std::uint64_t>(info.st_size) > k_max_text_file_bytes) {
        throw Error(
            file.string() + " is " +
                too_large_problem(static_cast<std::uint64_t>(info.st_size), k_max_text_file_bytes),
            ExitCode::service_failed, "remove it and run again");
    }
    std::string text;
    char buffer[8192];
    for (;;) {
        const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            fail("read", file, errno);
        }
        if (n == 0) {
            return text;
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
}

std::optional<WriteProblem> write_problem(const std::filesystem::path& path) {
    std::filesystem::path probe = path;
    struct stat info {};
    while (::lstat(probe.c_str(), &info) != 0) {
        if (errno != ENOENT || !probe.has_relative_path()) {
            return std::nullopt;
        }
        probe = probe.parent_path();
    }
    // A directory is written by creating entries in it: that takes search permission too.
    const int mode = S_ISDIR(info.st_mode) ? W_OK | X_OK : W_OK;
    if (::faccessat(AT_FDCWD, probe.c_str(), mode, AT_EACCESS) == 0) {
        return std::nullopt;
    }
    const int error = errno;
    if (!is_permission_error(error)) {
        return std::nullopt;
    }
    return WriteProblem{probe, std::strerror(error)};
}

} // namespace golaunch
