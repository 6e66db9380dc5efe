#include "remedy/safe_edit.hpp"

#include "instance/atomic_file.hpp"
#include "util/error.hpp"
#include "util/regular_file.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <optional>

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
    // rewrite in place: the complete new content is already fsynced in the temp file (kept
    // until the rewrite is fsynced, so a crash mid-rewrite leaves the whole new text next to
    // the file) and the backup holds the original; then O_TRUNC, write, fsync.
    void rewrite_in_place(StagedFile& staged, const std::string& content,
                          const std::filesystem::path& backup) const {
        const auto failure = overwrite_in_place(m_target, content);
        if (!failure) {
            return;
        }
        if (failure->step == FileWriteFailure::Step::create) { // not truncated yet
            fail("rewrite", m_target, failure->error);
        }
        staged.keep();
        throw Error("cannot " + failure->what() + " " + m_target.string() + ": " +
                        std::strerror(failure->error) + " while rewriting it in place",
                    ExitCode::service_failed,
                    "the new content is in " + staged.temp().string() + ", the original in " +
                        backup.string());
    }

    void replace(SafeEditResult& result, const struct stat& info, int dir_fd) const {
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
        rewrite_in_place(*staged, result.new_content, result.backup);
        staged.reset(); // the recovery copy, no longer needed
        ::fsync(dir_fd);
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
