// edit_file_safely on Windows: the edit is serialized by a named mutex for the file (two
// golaunch processes never interleave; no lock file is left in %SystemRoot%\System32\drivers\etc),
// the backup is written once, and the new content replaces the file through StagedFile (temp
// file in the same directory, FlushFileBuffers, MoveFileExW). When the replace is refused
// because another program holds the file open without FILE_SHARE_DELETE (a DNS cache, an
// editor, antivirus), the file is rewritten in place, as the Linux side does for a
// bind-mounted /etc/hosts.
#include "remedy/safe_edit.hpp"

#include "instance/atomic_file.hpp"
#include "util/error.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <optional>

namespace golaunch {

namespace {

constexpr DWORD k_lock_wait_ms = 30000;

bool is_denied(DWORD error) {
    return error == ERROR_ACCESS_DENIED || error == ERROR_WRITE_PROTECT ||
           error == ERROR_PRIVILEGE_NOT_HELD;
}

bool is_in_use(DWORD error) {
    return error == ERROR_SHARING_VIOLATION || error == ERROR_LOCK_VIOLATION ||
           error == ERROR_ACCESS_DENIED; // MoveFileEx onto a file open without share-delete
}

// Holds "Local\golaunch-edit-<hash of the path>" for the scope.
class EditMutex {
  public:
    explicit EditMutex(const std::filesystem::path& target) {
        std::wstring path = target.wstring();
        CharLowerBuffW(path.data(), static_cast<DWORD>(path.size()));
        const auto hash = std::hash<std::wstring>{}(path);
        const std::wstring name = L"Local\\golaunch-edit-" + std::to_wstring(hash);
        m_mutex = ::CreateMutexW(nullptr, FALSE, name.c_str());
        if (m_mutex == nullptr) {
            throw Error("cannot create the edit lock for " + target.string() + ": " +
                        win32_error_text(::GetLastError()));
        }
        const DWORD waited = ::WaitForSingleObject(m_mutex, k_lock_wait_ms);
        if (waited != WAIT_OBJECT_0 && waited != WAIT_ABANDONED) {
            ::CloseHandle(m_mutex);
            throw Error("another golaunch has been editing " + target.string() + " for 30 s",
                        ExitCode::service_failed, "retry when it is done");
        }
    }
    ~EditMutex() {
        ::ReleaseMutex(m_mutex);
        ::CloseHandle(m_mutex);
    }
    EditMutex(const EditMutex&) = delete;
    EditMutex& operator=(const EditMutex&) = delete;

  private:
    HANDLE m_mutex = nullptr;
};

class Editor {
  public:
    Editor(std::filesystem::path target, std::string hint)
        : m_target(std::move(target)), m_hint(std::move(hint)) {}

    [[noreturn]] void fail(const std::string& what, const std::filesystem::path& path,
                           DWORD error) const {
        const std::string message = "cannot " + what + " " + path.string() + ": " +
                                    win32_error_text(error) + " (" + m_target.string() +
                                    " is unchanged)";
        if (is_denied(error)) {
            throw Error(message, ExitCode::service_failed, m_hint);
        }
        throw Error(message);
    }

    std::string read_target() const { return read_whole_file(m_target); }

    // Refuse before writing anything: the file must be writable (not read-only, our ACL allows
    // it). Opening for write without truncating changes nothing.
    void check_writable() const {
        const HANDLE file = ::CreateFileW(m_target.wstring().c_str(), GENERIC_WRITE,
                                          FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                          nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
        if (file == INVALID_HANDLE_VALUE) {
            fail("write", m_target, ::GetLastError());
        }
        ::CloseHandle(file);
    }

    // The backup is written once, before the first change, and never overwritten.
    bool ensure_backup(const std::filesystem::path& backup, const std::string& content) const {
        std::error_code error;
        if (std::filesystem::exists(backup, error)) {
            return false;
        }
        StageOptions options;
        options.temp = sibling(".golaunch.bak.tmp");
        StagedFile staged(backup, content, options);
        if (const auto failure = staged.rename_into_place()) {
            fail(failure->step == FileWriteFailure::Step::rename ? "create the backup"
                                                                 : failure->what(),
                 failure->path, static_cast<DWORD>(failure->error));
        }
        return true;
    }

    void replace(SafeEditResult& result) const {
        check_writable();
        result.backup = m_target.string() + ".golaunch.bak";
        result.backup_created = ensure_backup(result.backup, result.old_content);
        StageOptions options;
        options.temp = sibling(".golaunch.tmp");
        StagedFile staged(m_target, result.new_content, options);
        if (const auto& failure = staged.failure()) {
            fail(failure->what(), failure->path, static_cast<DWORD>(failure->error));
        }
        const auto failure = staged.rename_into_place();
        if (!failure) {
            return;
        }
        if (!is_in_use(static_cast<DWORD>(failure->error))) {
            fail("replace", m_target, static_cast<DWORD>(failure->error));
        }
        rewrite_in_place(staged, result);
    }

    const std::filesystem::path& target() const { return m_target; }

  private:
    // The new content is complete and flushed in the temp file (kept until the rewrite is
    // flushed) and the backup holds the original.
    void rewrite_in_place(StagedFile& staged, SafeEditResult& result) const {
        result.in_place = true;
        const auto failure = overwrite_in_place(m_target, result.new_content);
        if (!failure) {
            return; // the temp file is removed with `staged`
        }
        if (failure->step == FileWriteFailure::Step::create) { // not truncated yet
            fail("rewrite", m_target, static_cast<DWORD>(failure->error));
        }
        staged.keep();
        throw Error("cannot " + failure->what() + " " + m_target.string() + ": " +
                        failure->reason() + " while rewriting it in place",
                    ExitCode::service_failed,
                    "the new content is in " + staged.temp().string() + ", the original in " +
                        result.backup.string());
    }

    std::filesystem::path sibling(const std::string& suffix) const {
        return m_target.parent_path() / ("." + m_target.filename().string() + suffix);
    }

    std::filesystem::path m_target;
    std::string m_hint;
};

std::filesystem::path resolve_target(const std::filesystem::path& file) {
    std::error_code error;
    auto target = std::filesystem::canonical(file, error);
    if (error) {
        throw Error("cannot read " + file.string() + ": " + error.message());
    }
    if (!std::filesystem::is_regular_file(target, error)) {
        throw Error(file.string() + " is not a regular file");
    }
    return target;
}

} // namespace

SafeEditResult edit_file_safely(const std::filesystem::path& file,
                                const std::function<std::string(const std::string&)>& edit,
                                bool dry_run, const std::string& denied_hint) {
    const Editor editor(resolve_target(file), denied_hint);
    const EditMutex lock(editor.target());
    SafeEditResult result;
    result.target = editor.target();
    result.old_content = editor.read_target();
    result.new_content = edit(result.old_content);
    result.changed = result.new_content != result.old_content;
    if (result.changed && !dry_run) {
        editor.replace(result);
    }
    return result;
}

} // namespace golaunch
