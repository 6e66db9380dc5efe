#include "remedy/safe_edit.hpp"

#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace golaunch {

namespace {

bool is_denied(int error) {
    return error == EACCES || error == EPERM || error == EROFS;
}

class Editor {
  public:
    Editor(std::filesystem::path target, std::string hint)
        : m_target(std::move(target)), m_hint(std::move(hint)) {}

    [[noreturn]] void fail(const std::string& what, const std::filesystem::path& path,
                           int error) const {
        const std::string message =
            "cannot " + what + " " + path.string() + ": " + std::strerror(error);
        if (is_denied(error)) {
            throw Error(message + " (" + m_target.string() + " is unchanged)",
                        ExitCode::service_failed, m_hint);
        }
        throw Error(message + " (" + m_target.string() + " is unchanged)");
    }

    UniqueFd lock_directory() const {
        UniqueFd dir(::open(m_target.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!dir.valid()) {
            fail("open the directory of", m_target, errno);
        }
        while (::flock(dir.get(), LOCK_EX) != 0) {
            if (errno != EINTR) {
                fail("lock the directory of", m_target, errno);
            }
        }
        return dir;
    }

    std::string read_target(struct stat& info) const {
        const UniqueFd fd(::open(m_target.c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd.valid() || ::fstat(fd.get(), &info) != 0) {
            fail("read", m_target, errno);
        }
        std::string content;
        char buffer[65536];
        while (true) {
            const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                fail("read", m_target, errno);
            }
            if (n == 0) {
                return content;
            }
            content.append(buffer, static_cast<std::size_t>(n));
        }
    }

    // Refuse before writing anything: the file and its directory must both be writable.
    void check_writable() const {
        if (::faccessat(AT_FDCWD, m_target.c_str(), W_OK, AT_EACCESS) != 0) {
            fail("write", m_target, errno);
        }
        if (::faccessat(AT_FDCWD, m_target.parent_path().c_str(), W_OK, AT_EACCESS) != 0) {
            fail("write in the directory of", m_target, errno);
        }
    }

    // Writes `content` to `path` (created or truncated) with the target's mode and owner, then
    // fsyncs it. Returns false (file removed) when the owner cannot be kept.
    bool write_synced(const std::filesystem::path& path, const std::string& content,
                      const struct stat& info) const {
        UniqueFd fd(
            ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
        if (!fd.valid()) {
            fail("create", path, errno);
        }
        if (::fchown(fd.get(), info.st_uid, info.st_gid) != 0 &&
            (info.st_uid != ::geteuid() || info.st_gid != ::getegid())) {
            fd.reset();
            ::unlink(path.c_str());
            return false;
        }
        if (::fchmod(fd.get(), info.st_mode & 07777) != 0) {
            discard(path, "set the mode of");
        }
        copy_xattrs(fd.get());
        write_all(fd.get(), path, content);
        if (::fsync(fd.get()) != 0) {
            discard(path, "fsync");
        }
        return true;
    }

    // Extended attributes (the SELinux label net_conf_t of /etc/hosts, POSIX ACLs) go with the
    // content: a renamed file would otherwise get the directory's defaults. Best effort: a
    // file system without xattrs, or one we may not set, leaves the new file without them.
    void copy_xattrs(int fd) const {
        std::vector<char> names(4096);
        const ssize_t length = ::listxattr(m_target.c_str(), names.data(), names.size());
        for (ssize_t at = 0; at < length;) {
            const char* name = names.data() + at;
            at += static_cast<ssize_t>(std::strlen(name)) + 1;
            std::vector<char> value(65536);
            const ssize_t size = ::getxattr(m_target.c_str(), name, value.data(), value.size());
            if (size >= 0) {
                ::fsetxattr(fd, name, value.data(), static_cast<std::size_t>(size), 0);
            }
        }
    }

    void write_all(int fd, const std::filesystem::path& path, const std::string& content) const {
        std::size_t done = 0;
        while (done < content.size()) {
            const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) {
                continue;
            }
            if (n < 0) {
                discard(path, "write");
            }
            done += static_cast<std::size_t>(n);
        }
    }

    [[noreturn]] void discard(const std::filesystem::path& path, const std::string& what) const {
        const int error = errno;
        ::unlink(path.c_str());
        fail(what, path, error);
    }

    // The backup is written once, before the first change, and never overwritten: it holds
    // the file as it was before golaunch ever touched it.
    bool ensure_backup(const std::filesystem::path& backup, const std::string& content,
                       const struct stat& info, int dir_fd) const {
        if (::access(backup.c_str(), F_OK) == 0) {
            return false;
        }
        const auto temp = sibling(".golaunch.bak.tmp");
        if (!write_synced(temp, content, info) && !write_synced(temp, content, stat_as_own(info))) {
            fail("write", temp, EPERM);
        }
        if (::rename(temp.c_str(), backup.c_str()) != 0) {
            discard(temp, "create the backup");
        }
        ::fsync(dir_fd);
        return true;
    }

    std::filesystem::path sibling(const std::string& suffix) const {
        return m_target.parent_path() / ("." + m_target.filename().string() + suffix);
    }

    // Docker bind-mounts /etc/hosts, and rename onto a mount point fails with EBUSY. Then we
    // rewrite in place: the complete new content is already fsynced in the temp file (kept
    // until the rewrite is fsynced, so a crash mid-rewrite leaves the whole new text next to
    // the file) and the backup holds the original; then O_TRUNC, write, fsync.
    void rewrite_in_place(const std::filesystem::path& temp, const std::string& content) const {
        const UniqueFd fd(::open(m_target.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
        if (!fd.valid()) {
            discard(temp, "rewrite");
        }
        write_all(fd.get(), m_target, content);
        if (::fsync(fd.get()) != 0) {
            fail("fsync", m_target, errno);
        }
        ::unlink(temp.c_str());
    }

    void replace(SafeEditResult& result, const struct stat& info, int dir_fd) const {
        check_writable();
        result.backup = m_target.string() + ".golaunch.bak";
        result.backup_created = ensure_backup(result.backup, result.old_content, info, dir_fd);
        const auto temp = sibling(".golaunch.tmp");
        if (write_synced(temp, result.new_content, info)) {
            if (::rename(temp.c_str(), m_target.c_str()) == 0) {
                ::fsync(dir_fd);
                return;
            }
            const int error = errno;
            if (error != EBUSY && error != EXDEV) {
                ::unlink(temp.c_str());
                fail("replace", m_target, error);
            }
        } else if (!write_synced(temp, result.new_content, stat_as_own(info))) {
            fail("write", temp, EPERM);
        }
        // rename refused (a bind-mounted file), or a new file could not keep the owner: rewrite
        // the target itself, which keeps its inode, owner and mode.
        result.in_place = true;
        rewrite_in_place(temp, result.new_content);
        ::fsync(dir_fd);
    }

    // The owner cannot be given away (not root): write the recovery copy as ourselves; the
    // target keeps its owner because it is rewritten in place.
    static struct stat stat_as_own(struct stat info) {
        info.st_uid = ::geteuid();
        info.st_gid = ::getegid();
        return info;
    }

    const std::filesystem::path& target() const { return m_target; }

  private:
    std::filesystem::path m_target;
    std::string m_hint;
};

std::filesystem::path resolve_target(const std::filesystem::path& file) {
    std::error_code error;
    auto target = std::filesystem::canonical(file, error);
    if (error) {
        throw Error("cannot read " + file.string() + ": " + error.message());
    }
    return target;
}

} // namespace

SafeEditResult edit_file_safely(const std::filesystem::path& file,
                                const std::function<std::string(const std::string&)>& edit,
                                bool dry_run, const std::string& denied_hint) {
    const Editor editor(resolve_target(file), denied_hint);
    const UniqueFd dir = editor.lock_directory();
    struct stat info {};
    SafeEditResult result;
    result.target = editor.target();
    result.old_content = editor.read_target(info);
    if (!S_ISREG(info.st_mode)) {
        throw Error(file.string() + " is not a regular file");
    }
    result.new_content = edit(result.old_content);
    result.changed = result.new_content != result.old_content;
    if (result.changed && !dry_run) {
        editor.replace(result, info, dir.get());
    }
    return result;
}

} // namespace golaunch
