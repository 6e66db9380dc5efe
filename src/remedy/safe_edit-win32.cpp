// edit_file_safely on Windows: the edit is serialized by a named mutex for the file (two
// golaunch processes never interleave; no lock file is left in %SystemRoot%\System32\drivers\etc),
// the backup is written once, and the new content replaces the file through StagedFile (temp
// file in the same directory, FlushFileBuffers, MoveFileExW). When the replace is refused
// because another program holds the file open without FILE_SHARE_DELETE (a DNS cache, an
// editor, antivirus), the file is rewritten in place, as the Linux side does for a
// bind-mounted /etc/hosts, and as there never truncated first: the clusters for the new size
// are allocated before a byte changes, and a failed write puts the original back.
#include "remedy/safe_edit.hpp"

#include "instance/atomic_file.hpp"
#include "util/error.hpp"
#include "util/unique_handle.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string_view>

namespace golaunch {

namespace {

constexpr DWORD k_lock_wait_ms = 30000;

bool is_full(DWORD error) {
    return error == ERROR_DISK_FULL || error == ERROR_HANDLE_DISK_FULL;
}

// 0, or the error. Writes all of `content` at `offset`.
DWORD write_at(HANDLE file, std::string_view content, std::uint64_t offset) {
    while (!content.empty()) {
        OVERLAPPED at{};
        at.Offset = static_cast<DWORD>(offset & 0xffffffffU);
        at.OffsetHigh = static_cast<DWORD>(offset >> 32U);
        const auto chunk = static_cast<DWORD>(std::min<std::size_t>(content.size(), 1U << 20U));
        DWORD written = 0;
        if (!::WriteFile(file, content.data(), chunk, &written, &at)) {
            return ::GetLastError();
        }
        if (written == 0) {
            return ERROR_WRITE_FAULT;
        }
        content.remove_prefix(written);
        offset += written;
    }
    return 0;
}

// 0, or the error. Sets the end of the file.
DWORD set_size(HANDLE file, std::uint64_t size) {
    FILE_END_OF_FILE_INFO end{};
    end.EndOfFile.QuadPart = static_cast<LONGLONG>(size);
    return ::SetFileInformationByHandle(file, FileEndOfFileInfo, &end, sizeof end)
               ? 0
               : ::GetLastError();
}

// Makes sure the clusters for `content` are allocated before a byte of the file changes, so
// that the rewrite cannot run out of space halfway. FileAllocationInfo reserves them without
// moving the end of the file (as fallocate's KEEP_SIZE on Linux); where it is not supported,
// the part beyond the old end is written first (and cut off again when that fails). 0 or the
// error.
DWORD reserve(HANDLE file, std::size_t old_size, const std::string& content) {
    if (content.size() <= old_size) {
        return 0;
    }
    FILE_ALLOCATION_INFO allocation{};
    allocation.AllocationSize.QuadPart = static_cast<LONGLONG>(content.size());
    if (::SetFileInformationByHandle(file, FileAllocationInfo, &allocation, sizeof allocation)) {
        return 0;
    }
    DWORD error = ::GetLastError();
    if (error != ERROR_INVALID_PARAMETER && error != ERROR_NOT_SUPPORTED &&
        error != ERROR_INVALID_FUNCTION && error != ERROR_CALL_NOT_IMPLEMENTED) {
        return error;
    }
    error = write_at(file, std::string_view(content).substr(old_size), old_size);
    if (error == 0) {
        return 0;
    }
    const DWORD cut = set_size(file, old_size);
    return cut != 0 ? cut : error; // the old bytes are intact either way
}

// `content` over the old bytes, the rest cut off, flushed. 0 or the error.
DWORD overwrite(HANDLE file, const std::string& content) {
    if (const DWORD error = write_at(file, content, 0)) {
        return error;
    }
    if (const DWORD error = set_size(file, content.size())) {
        return error;
    }
    return ::FlushFileBuffers(file) ? 0 : ::GetLastError();
}

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
        std::optional<StagedFile> staged;
        staged.emplace(m_target, result.new_content, options);
        if (const auto& failure = staged->failure()) {
            fail(failure->what(), failure->path, static_cast<DWORD>(failure->error));
        }
        const auto failure = staged->rename_into_place();
        if (!failure) {
            return;
        }
        if (!is_in_use(static_cast<DWORD>(failure->error))) {
            fail("replace", m_target, static_cast<DWORD>(failure->error));
        }
        result.in_place = true;
        rewrite_in_place(staged, result.old_content, result.new_content, result.backup);
    }

    // A file that did not exist (nothing to back up): written in full next to it and moved into
    // place; it takes the directory's inherited ACL, as a hosts file created by hand would.
    void create(const std::string& content) const {
        StageOptions options;
        options.temp = sibling(".golaunch.tmp");
        StagedFile staged(m_target, content, options);
        if (const auto& failure = staged.failure()) {
            fail(failure->what(), failure->path, static_cast<DWORD>(failure->error));
        }
        if (const auto failure = staged.rename_into_place()) {
            fail("create", m_target, static_cast<DWORD>(failure->error));
        }
    }

    const std::filesystem::path& target() const { return m_target; }

  private:
    // The new content is complete and flushed in the temp file (unless its clusters were
    // needed for the reservation), the original in memory and in the backup. Never truncates
    // first: room for the new size, then the new bytes over the old, the rest cut off, flushed;
    // a failed write puts the original back.
    void rewrite_in_place(std::optional<StagedFile>& staged, const std::string& old_content,
                          const std::string& content, const std::filesystem::path& backup) const {
        // Others hold the file open (that is why we are here): share with them.
        const UniqueHandle file(::CreateFileW(m_target.wstring().c_str(), GENERIC_WRITE,
                                              FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                                              OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
        if (!file.valid()) {
            fail("rewrite", m_target, ::GetLastError());
        }
        DWORD error = reserve(file.get(), old_content.size(), content);
        if (is_full(error) && staged) {
            staged.reset(); // its clusters are the room the rewrite needs
            error = reserve(file.get(), old_content.size(), content);
        }
        if (error != 0) {
            fail("make room for the new content of", m_target, error);
        }
        error = overwrite(file.get(), content);
        if (error == 0) {
            return; // the temp file is removed with `staged`
        }
        if (overwrite(file.get(), old_content) == 0) {
            fail("rewrite", m_target, error); // "... is unchanged": the original is back
        }
        if (staged) {
            staged->keep();
        }
        throw Error("cannot rewrite " + m_target.string() + " in place: " +
                        win32_error_text(error) + ", and putting the original back failed too",
                    ExitCode::service_failed,
                    "the original is in " + backup.string() +
                        (staged ? ", the new content in " + staged->temp().string() : "") +
                        "; copy one of them over " + m_target.string());
    }

    std::filesystem::path sibling(const std::string& suffix) const {
        return m_target.parent_path() / ("." + m_target.filename().string() + suffix);
    }

    std::filesystem::path m_target;
    std::string m_hint;
};

// The real path of `file`, or where to create it when nothing is there.
std::filesystem::path resolve_target(const std::filesystem::path& file) {
    std::error_code error;
    auto target = std::filesystem::canonical(file, error);
    if (error) {
        if (auto created = creatable_path(file)) {
            return *created;
        }
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
    std::error_code ignored;
    if (std::filesystem::symlink_status(result.target, ignored).type() ==
        std::filesystem::file_type::not_found) {
        result = edit_of_missing_file(result.target, edit); // still nothing there, under the lock
        if (result.changed && !dry_run) {
            editor.create(result.new_content);
        }
        return result;
    }
    result.old_content = editor.read_target();
    result.new_content = edit(result.old_content);
    result.changed = result.new_content != result.old_content;
    if (result.changed && !dry_run) {
        editor.replace(result);
    }
    return result;
}

} // namespace golaunch
