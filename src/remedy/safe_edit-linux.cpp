#include "remedy/safe_edit.hpp"

#include "instance/atomic_file.hpp"
#include "util/error.hpp"
#include "util/regular_file.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

namespace golaunch {

namespace {

bool is_denied(int error) {
    return error == EACCES || error == EPERM || error == EROFS;
}

bool is_full(int error) {
    return error == ENOSPC || error == EDQUOT;
}

// Bytes an unprivileged writer may still use on the file system holding `path`.
std::string free_space_text(const std::filesystem::path& path) {
    struct statvfs info {};
    if (::statvfs(path.c_str(), &info) != 0) {
        return "an unknown amount";
    }
    return std::to_string(static_cast<unsigned long long>(info.f_bavail) * info.f_frsize) +
           " bytes";
}

// false with errno set when a write fails; writes at `offset` without moving the file offset.
bool pwrite_all(int fd, std::string_view content, off_t offset) {
    std::size_t done = 0;
    while (done < content.size()) {
        const ssize_t n = ::pwrite(fd, content.data() + done, content.size() - done,
                                   offset + static_cast<off_t>(done));
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

// Sets `fd`'s content to `content` by overwriting (never truncating first), then fsyncs.
bool overwrite(int fd, const std::string& content) {
    return pwrite_all(fd, content, 0) && ::ftruncate(fd, static_cast<off_t>(content.size())) == 0 &&
           ::fsync(fd) == 0;
}

// Makes sure the blocks for `content` exist in `fd` before a byte of it changes, so that the
// rewrite cannot run out of space halfway: fallocate with KEEP_SIZE reserves them without
// changing what the file reads as. Where fallocate is not supported, the part beyond the old
// end is written first (and cut off again when that fails). 0 or the errno.
int reserve(int fd, std::size_t old_size, const std::string& content) {
    if (content.size() <= old_size) {
        return 0;
    }
    if (::fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, static_cast<off_t>(content.size())) == 0) {
        return 0;
    }
    if (errno != EOPNOTSUPP && errno != ENOSYS) {
        return errno;
    }
    if (pwrite_all(fd, std::string_view(content).substr(old_size), static_cast<off_t>(old_size))) {
        return 0;
    }
    const int error = errno;
    if (::ftruncate(fd, static_cast<off_t>(old_size)) != 0) {
        return errno; // the old bytes are intact, followed by part of the new tail
    }
    return error;
}

class Editor {
  public:
    Editor(std::filesystem::path target, std::string hint)
        : m_target(std::move(target)), m_hint(std::move(hint)) {}

    [[noreturn]] void fail(const std::string& what, const std::filesystem::path& path,
                           int error) const {
        const std::string message =
            "cannot " + what + " " + path.string() + ": " + std::strerror(error);
        if (is_full(error)) {
            throw Error(message + "; " + free_space_text(m_target.parent_path()) +
                            " free on the file system of " + m_target.parent_path().string() +
                            ", and the update needs room for a backup and a copy of the new "
                            "content (" +
                            std::to_string(m_new_size) + " bytes) next to it (" +
                            m_target.string() + " is unchanged)",
                        ExitCode::service_failed,
                        "free some space on the file system of " + m_target.parent_path().string() +
                            " (see `df " + m_target.parent_path().string() +
                            "`), then run the same command again");
        }
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

    // Never blocks on a FIFO nor floods on a device (util/regular_file.hpp).
    std::string read_target(struct stat& info) const {
        FileContent file = read_regular_file(m_target);
        if (file.error != 0) {
            fail("read", m_target, file.error);
        }
        if (!file.ok()) {
            throw Error("cannot read " + m_target.string() + ": " + file.problem + " (" +
                        m_target.string() + " is unchanged)");
        }
        if (::stat(m_target.c_str(), &info) != 0) {
            fail("read", m_target, errno);
        }
        return std::move(file.bytes);
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

    // A new version of `destination` in the fixed temp file ".<target><suffix>" (the directory
    // lock guards the name) with the target's mode, owner and extended attributes (the SELinux
    // label net_conf_t of /etc/hosts, POSIX ACLs: a renamed file would otherwise get the
    // directory's defaults). When the owner cannot be given away (not root) the file is
    // ours and `owner_kept` false.
    void stage(std::optional<StagedFile>& staged, const std::filesystem::path& destination,
               const std::string& suffix, const std::string& content, const struct stat& info,
               bool& owner_kept) const {
        StageOptions options;
        options.temp = sibling(suffix);
        options.mode = info.st_mode & 07777;
        options.owner = FileOwner{info.st_uid, info.st_gid};
        options.copy_xattrs_from = m_target;
        staged.emplace(destination, content, options);
        owner_kept = true;
        if (staged->failure() && staged->failure()->step == FileWriteFailure::Step::owner) {
            options.owner.reset();
            staged.reset();
            staged.emplace(destination, content, options);
            owner_kept = false;
        }
        if (const auto& failure = staged->failure()) {
            fail(failure->what(), failure->path, failure->error);
        }
    }

    // The backup is written once, before the first change, and never overwritten: it holds
    // the file as it was before golaunch ever touched it.
    bool ensure_backup(const std::filesystem::path& backup, const std::string& content,
                       const struct stat& info) const {
        if (::access(backup.c_str(), F_OK) == 0) {
            return false;
        }
        std::optional<StagedFile> staged;
        bool owner_kept = false;
        stage(staged, backup, ".golaunch.bak.tmp", content, info, owner_kept);
        if (const auto failure = staged->rename_into_place()) {
            fail("create the backup", staged->temp(), failure->error);
        }
        return true;
    }

    std::filesystem::path sibling(const std::string& suffix) const {
        return m_target.parent_path() / ("." + m_target.filename().string() + suffix);
    }

    // Docker bind-mounts /etc/hosts, and rename onto a mount point fails with EBUSY. Then we
    // rewrite in place, never truncating first: room for the new size is reserved (with the
    // backup and the complete new content already on disk), then the new content is written
    // over the old bytes, the rest cut off, fsynced. Meanwhile the new content is in the temp
    // file (unless its blocks were needed for the reservation) and the original in memory: a
    // failed write puts the original back.
    void rewrite_in_place(std::optional<StagedFile>& staged, const std::string& old_content,
                          const std::string& content, const std::filesystem::path& backup) const {
        const UniqueFd fd(::open(m_target.c_str(), O_WRONLY | O_CLOEXEC));
        if (!fd.valid()) {
            fail("rewrite", m_target, errno);
        }
        int error = reserve(fd.get(), old_content.size(), content);
        if (is_full(error) && staged) {
            staged.reset(); // its blocks are the room the rewrite needs
            error = reserve(fd.get(), old_content.size(), content);
        }
        if (error != 0) {
            fail("make room for the new content of", m_target, error);
        }
        if (overwrite(fd.get(), content)) {
            return;
        }
        error = errno;
        if (overwrite(fd.get(), old_content)) {
            fail("rewrite", m_target, error); // "... is unchanged": the original is back
        }
        if (staged) {
            staged->keep();
        }
        throw Error("cannot rewrite " + m_target.string() + " in place: " + std::strerror(error) +
                        ", and putting the original back failed too",
                    ExitCode::service_failed,
                    "the original is in " + backup.string() +
                        (staged ? ", the new content in " + staged->temp().string() : "") +
                        "; copy one of them over " + m_target.string());
    }

    void replace(SafeEditResult& result, const struct stat& info, int dir_fd) {
        m_new_size = result.new_content.size();
        check_writable();
        result.backup = m_target.string() + ".golaunch.bak";
        result.backup_created = ensure_backup(result.backup, result.old_content, info);
        std::optional<StagedFile> staged;
        bool owner_kept = false;
        stage(staged, m_target, ".golaunch.tmp", result.new_content, info, owner_kept);
        if (owner_kept) {
            const auto failure = staged->rename_into_place();
            if (!failure) {
                return;
            }
            if (failure->error != EBUSY && failure->error != EXDEV) {
                fail("replace", m_target, failure->error);
            }
        }
        // rename refused (a bind-mounted file), or a new file could not keep the owner: rewrite
        // the target itself, which keeps its inode, owner and mode.
        result.in_place = true;
        rewrite_in_place(staged, result.old_content, result.new_content, result.backup);
        staged.reset(); // the recovery copy, no longer needed
        ::fsync(dir_fd);
    }

    // A file that did not exist (nothing to back up): mode 0644 (a hosts file is for every
    // reader), owned by whoever runs this, written in full next to it and renamed into place.
    void create(const std::string& content) {
        m_new_size = content.size();
        if (::faccessat(AT_FDCWD, m_target.parent_path().c_str(), W_OK, AT_EACCESS) != 0) {
            fail("create", m_target, errno);
        }
        StageOptions options;
        options.temp = sibling(".golaunch.tmp");
        options.mode = 0644;
        StagedFile staged(m_target, content, options);
        if (const auto& failure = staged.failure()) {
            fail(failure->what(), failure->path, failure->error);
        }
        if (const auto failure = staged.rename_into_place()) {
            fail("create", m_target, failure->error);
        }
    }

    const std::filesystem::path& target() const { return m_target; }

  private:
    std::filesystem::path m_target;
    std::string m_hint;
    std::size_t m_new_size = 0; // for the message when the disk is full
};

// The real path of `file`, or where to create it when nothing is there.
std::filesystem::path resolve_target(const std::filesystem::path& file) {
    std::error_code error;
    auto target = std::filesystem::canonical(file, error);
    if (!error) {
        return target;
    }
    if (auto created = creatable_path(file)) {
        return *created;
    }
    throw Error("cannot read " + file.string() + ": " + error.message());
}

} // namespace

SafeEditResult edit_file_safely(const std::filesystem::path& file,
                                const std::function<std::string(const std::string&)>& edit,
                                bool dry_run, const std::string& denied_hint) {
    Editor editor(resolve_target(file), denied_hint);
    const UniqueFd dir = editor.lock_directory();
    struct stat info {};
    SafeEditResult result;
    result.target = editor.target();
    if (::lstat(result.target.c_str(), &info) != 0 && errno == ENOENT) {
        result = edit_of_missing_file(result.target, edit); // still nothing there, under the lock
        if (result.changed && !dry_run) {
            editor.create(result.new_content);
        }
        return result;
    }
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
