#include "instance/instance_lock.hpp"

#include "instance/private_dir.hpp"
#include "util/error.hpp"

#include <windows.h>

#include <thread>

namespace golaunch {

namespace {

// Windows byte-range locks are mandatory: the lock covers one byte far past the record, so
// that a refused instance can still read who holds it.
constexpr DWORD k_lock_offset_high = 0x100; // 1 TiB

HANDLE handle_of(std::intptr_t handle) {
    return reinterpret_cast<HANDLE>(handle);
}

std::string read_record(HANDLE file) {
    std::string text;
    char buffer[4096];
    for (DWORD offset = 0; offset < (1u << 20);) {
        OVERLAPPED at{};
        at.Offset = offset;
        DWORD n = 0;
        if (!::ReadFile(file, buffer, sizeof buffer, &n, &at) || n == 0) {
            break;
        }
        text.append(buffer, n);
        offset += n;
    }
    return text;
}

bool write_record(HANDLE file, const std::string& text) {
    LARGE_INTEGER zero{};
    if (!::SetFilePointerEx(file, zero, nullptr, FILE_BEGIN) || !::SetEndOfFile(file)) {
        return false;
    }
    OVERLAPPED at{};
    DWORD written = 0;
    return ::WriteFile(file, text.data(), static_cast<DWORD>(text.size()), &written, &at) &&
           written == text.size();
}

// The holder writes its record just after taking the lock. Bounded: 20 tries, 5 ms apart.
std::optional<LockOwner> read_holder(HANDLE file) {
    for (int attempt = 0; attempt < 20; ++attempt) {
        if (auto owner = parse_lock_owner(read_record(file))) {
            return owner;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::nullopt;
}

Error windows_error(const std::string& what, const std::filesystem::path& file) {
    return Error("cannot " + what + " the instance lock " + file.string() + " (Windows error " +
                 std::to_string(::GetLastError()) + ")");
}

} // namespace

LockAttempt try_lock_instance(const std::filesystem::path& lock_file, const LockOwner& me) {
    const auto file =
        reinterpret_cast<HANDLE>(open_private_file(lock_file, "open the instance lock"));
    LockAttempt attempt;
    OVERLAPPED range{};
    range.OffsetHigh = k_lock_offset_high;
    if (!::LockFileEx(file, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 1, 0, &range)) {
        attempt.other = read_holder(file);
        ::CloseHandle(file);
        return attempt;
    }
    attempt.other = parse_lock_owner(read_record(file));
    if (!write_record(file, format_lock_owner(me))) {
        const auto error = windows_error("write", lock_file);
        ::CloseHandle(file);
        throw error;
    }
    attempt.lock.reset(new InstanceLock(reinterpret_cast<std::intptr_t>(file)));
    return attempt;
}

InstanceLock::~InstanceLock() {
    // Cleared first, then released: an empty file under a free lock means a clean exit.
    write_record(handle_of(m_handle), "");
    ::CloseHandle(handle_of(m_handle)); // closing the handle releases the lock
}

} // namespace golaunch
