// Windows: a reparse point (symbolic link, junction, mount point) is what a link is; files are
// opened with FILE_FLAG_OPEN_REPARSE_POINT (the point itself, never its target) and refused when
// the handle's attributes say reparse point.
#include "instance/private_dir.hpp"

#include "util/wide_text.hpp"

#include <windows.h>

namespace golaunch {

namespace {

std::filesystem::path directory_of(const std::filesystem::path& file) {
    return file.parent_path().empty() ? std::filesystem::path(".") : file.parent_path();
}

[[noreturn]] void fail(const std::string& what, const std::filesystem::path& file, DWORD error) {
    throw Error("cannot " + what + " " + file.string() + ": " + win32_error_text(error),
                ExitCode::service_failed,
                error == ERROR_ACCESS_DENIED
                    ? "check the permissions of " + directory_of(file).string()
                    : std::string{});
}

// Closes `file` and refuses it when the opened thing is a reparse point.
void refuse_opened_link(HANDLE file, const std::filesystem::path& path) {
    BY_HANDLE_FILE_INFORMATION info{};
    if (::GetFileInformationByHandle(file, &info) &&
        (info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
        ::CloseHandle(file);
        throw link_refused(path);
    }
}

} // namespace

bool is_link(const std::filesystem::path& path) {
    const DWORD attributes = ::GetFileAttributesW(path.wstring().c_str());
    return attributes != INVALID_FILE_ATTRIBUTES &&
           (attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0;
}

std::intptr_t open_private_file(const std::filesystem::path& file, const std::string& what) {
    ensure_private_dir(directory_of(file));
    refuse_link(file);
    const HANDLE handle =
        ::CreateFileW(file.wstring().c_str(), GENERIC_READ | GENERIC_WRITE,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                      FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        fail(what, file, ::GetLastError());
    }
    refuse_opened_link(handle, file);
    return reinterpret_cast<std::intptr_t>(handle);
}

std::optional<std::string> read_private_file(const std::filesystem::path& file) {
    check_private_dirs(directory_of(file));
    const HANDLE handle =
        ::CreateFileW(file.wstring().c_str(), GENERIC_READ,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                      OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        const DWORD error = ::GetLastError();
        if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
            return std::nullopt;
        }
        fail("read", file, error);
    }
    refuse_opened_link(handle, file);
    std::string text;
    char buffer[8192];
    DWORD got = 0;
    while (::ReadFile(handle, buffer, sizeof buffer, &got, nullptr) && got > 0) {
        text.append(buffer, got);
    }
    ::CloseHandle(handle);
    return text;
}

std::optional<WriteProblem> write_problem(const std::filesystem::path&) {
    return std::nullopt; // ACLs: only trying tells, and a probe must not change anything
}

} // namespace golaunch
