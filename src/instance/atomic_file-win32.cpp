// The atomic-replace primitive on Windows: a temp file in the same directory, written and
// flushed (FlushFileBuffers), then MoveFileExW(MOVEFILE_REPLACE_EXISTING |
// MOVEFILE_WRITE_THROUGH), a rename within the volume. Windows has no owner/mode bits to copy
// (StageOptions::owner, mode and copy_xattrs_from are ignored; the new file gets the directory's
// inherited ACL). FileLock is LockFileEx on the whole file. `error` fields hold Win32 codes.
#include "instance/atomic_file.hpp"

#include "instance/private_dir.hpp"
#include "util/error.hpp"
#include "util/unique_handle.hpp"
#include "util/wide_text.hpp"

#include <windows.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>

namespace golaunch {

namespace {

bool is_denied(DWORD error) {
    return error == ERROR_ACCESS_DENIED || error == ERROR_WRITE_PROTECT ||
           error == ERROR_SHARING_VIOLATION || error == ERROR_LOCK_VIOLATION;
}

Error file_error(const std::string& what, const std::filesystem::path& path, DWORD error) {
    return Error("cannot " + what + " " + path.string() + ": " + win32_error_text(error),
                 ExitCode::service_failed,
                 is_denied(error) ? "check the permissions of " + path.parent_path().string()
                                  : std::string{});
}

std::filesystem::path directory_of(const std::filesystem::path& path) {
    return path.parent_path().empty() ? std::filesystem::path(".") : path.parent_path();
}

HANDLE open_for_write(const std::filesystem::path& path, DWORD disposition, DWORD share = 0) {
    return ::CreateFileW(path.wstring().c_str(), GENERIC_WRITE, share, nullptr, disposition,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
}

// A fixed name (truncated when left over), else ".<name>.tmp-XXXXXXXX" created new.
HANDLE create_temp(const std::filesystem::path& destination, std::filesystem::path& temp) {
    if (!temp.empty()) {
        return open_for_write(temp, CREATE_ALWAYS);
    }
    std::random_device seed;
    std::mt19937 random(seed());
    for (int attempt = 0; attempt < 16; ++attempt) {
        char suffix[16];
        std::snprintf(suffix, sizeof suffix, "%08x", static_cast<unsigned>(random()));
        const auto candidate =
            directory_of(destination) / ("." + destination.filename().string() + ".tmp-" + suffix);
        const HANDLE handle = open_for_write(candidate, CREATE_NEW);
        if (handle != INVALID_HANDLE_VALUE || ::GetLastError() != ERROR_FILE_EXISTS) {
            temp = candidate;
            return handle;
        }
    }
    return INVALID_HANDLE_VALUE;
}

bool write_all(HANDLE file, const std::string& content) {
    std::size_t done = 0;
    while (done < content.size()) {
        const DWORD chunk =
            static_cast<DWORD>(std::min<std::size_t>(content.size() - done, 1U << 20U));
        DWORD written = 0;
        if (!::WriteFile(file, content.data() + done, chunk, &written, nullptr) || written == 0) {
            return false;
        }
        done += written;
    }
    return true;
}

// Writes and flushes; the failing step (GetLastError set) or nothing.
std::optional<FileWriteFailure::Step> fill(HANDLE file, const std::string& content,
                                           Durability durability) {
    if (!write_all(file, content)) {
        return FileWriteFailure::Step::write;
    }
    if (durability == Durability::synced && !::FlushFileBuffers(file)) {
        return FileWriteFailure::Step::sync;
    }
    return std::nullopt;
}

} // namespace

std::string FileWriteFailure::reason() const {
    return win32_error_text(static_cast<unsigned long>(error));
}

StagedFile::StagedFile(std::filesystem::path destination, const std::string& content,
                       const StageOptions& options)
    : m_destination(std::move(destination)), m_temp(options.temp),
      m_durability(options.durability) {
    std::optional<FileWriteFailure::Step> failed;
    {
        const UniqueHandle file(create_temp(m_destination, m_temp));
        failed =
            file.valid() ? fill(file.get(), content, m_durability) : FileWriteFailure::Step::create;
        if (failed) {
            m_failure = FileWriteFailure{*failed, m_temp, static_cast<int>(::GetLastError())};
        }
    }
    if (failed) {
        if (*failed != FileWriteFailure::Step::create) {
            ::DeleteFileW(m_temp.wstring().c_str());
        }
        m_temp.clear();
    }
}

StagedFile::~StagedFile() {
    if (!m_temp.empty() && !m_kept) {
        ::DeleteFileW(m_temp.wstring().c_str());
    }
}

std::optional<FileWriteFailure> StagedFile::rename_into_place() {
    if (m_failure) {
        return m_failure;
    }
    const DWORD flags = MOVEFILE_REPLACE_EXISTING |
                        (m_durability == Durability::synced ? MOVEFILE_WRITE_THROUGH : 0);
    if (!::MoveFileExW(m_temp.wstring().c_str(), m_destination.wstring().c_str(), flags)) {
        return FileWriteFailure{FileWriteFailure::Step::rename, m_destination,
                                static_cast<int>(::GetLastError())};
    }
    m_temp.clear();
    return std::nullopt;
}

void write_file_atomically(const std::filesystem::path& path, const std::string& content,
                           Durability durability) {
    std::error_code ignored;
    std::filesystem::create_directories(directory_of(path), ignored);
    StageOptions options;
    options.durability = durability;
    StagedFile staged(path, content, options);
    if (const auto failure = staged.rename_into_place()) {
        throw file_error(failure->step == FileWriteFailure::Step::rename ? "replace" : "write",
                         path, static_cast<DWORD>(failure->error));
    }
}

std::string read_whole_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::error_code error;
        const bool exists = std::filesystem::exists(path, error);
        throw file_error("read", path, exists ? ERROR_ACCESS_DENIED : ERROR_FILE_NOT_FOUND);
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

FileLock::FileLock(const std::filesystem::path& path) {
    const auto file = reinterpret_cast<HANDLE>(open_private_file(path, "lock"));
    m_handle = reinterpret_cast<std::intptr_t>(file);
    OVERLAPPED whole{};
    if (!::LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK, 0, MAXDWORD, MAXDWORD, &whole)) {
        const DWORD error = ::GetLastError();
        ::CloseHandle(file);
        m_handle = -1;
        throw file_error("lock", path, error);
    }
}

FileLock::~FileLock() {
    if (m_handle != -1) {
        ::CloseHandle(reinterpret_cast<HANDLE>(m_handle)); // releases the lock
    }
}

} // namespace golaunch
