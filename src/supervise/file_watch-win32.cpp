// FileWatch on Windows: ReadDirectoryChangesW on each directory, opened for overlapped I/O and
// registered with the event loop's I/O completion port (through an Asio handle); each
// completion lists the files changed, then the read is issued again. No polling.
#include "supervise/file_watch.hpp"

#include "util/error.hpp"
#include "util/wide_text.hpp"

#include <boost/asio/windows/overlapped_ptr.hpp>
#include <boost/asio/windows/random_access_handle.hpp>

#include <windows.h>

#include <set>
#include <vector>

namespace golaunch {

// One watched directory: its handle (registered with the loop's completion port) and the
// buffer its pending ReadDirectoryChangesW fills.
struct WatchedDirectory {
    WatchedDirectory(boost::asio::io_context& io, HANDLE handle, std::filesystem::path directory)
        : dir_handle(io, handle), dir(std::move(directory)), buffer(16384) {}
    boost::asio::windows::random_access_handle dir_handle; // only for its completion port
    std::filesystem::path dir;
    std::vector<DWORD> buffer; // DWORD-aligned, as FILE_NOTIFY_INFORMATION must be
};

struct FileWatch::Impl : std::enable_shared_from_this<FileWatch::Impl> {
    explicit Impl(boost::asio::io_context& context) : io(context) {}

    boost::asio::io_context& io;
    std::function<void(const std::filesystem::path&)> on_change;
    std::vector<std::shared_ptr<WatchedDirectory>> watched;
    std::set<std::filesystem::path> dirs;
    bool closed = false;

    void arm(const std::shared_ptr<WatchedDirectory>& w) {
        boost::asio::windows::overlapped_ptr op(
            io,
            [weak = weak_from_this(), w](const boost::system::error_code& ec, std::size_t bytes) {
                auto self = weak.lock();
                if (!self || self->closed || ec == boost::asio::error::operation_aborted) {
                    return;
                }
                if (!ec) {
                    self->report(*w, bytes);
                }
                self->arm(w);
            });
        const BOOL ok =
            ::ReadDirectoryChangesW(w->dir_handle.native_handle(), w->buffer.data(),
                                    static_cast<DWORD>(w->buffer.size() * sizeof(DWORD)), FALSE,
                                    FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE |
                                        FILE_NOTIFY_CHANGE_SIZE | FILE_NOTIFY_CHANGE_CREATION,
                                    nullptr, op.get(), nullptr);
        const DWORD error = ::GetLastError();
        if (!ok && error != ERROR_IO_PENDING) {
            if (error == ERROR_OPERATION_ABORTED || error == ERROR_INVALID_HANDLE) {
                op.complete(boost::asio::error::operation_aborted, 0);
            } else {
                op.complete(boost::system::error_code(static_cast<int>(error),
                                                      boost::system::system_category()),
                            0);
            }
            return;
        }
        op.release();
    }

    // The FILE_NOTIFY_INFORMATION records of one completion. 0 bytes: more changed than the
    // buffer held; the directory itself is reported (a rebuild is the safe answer).
    void report(const WatchedDirectory& w, std::size_t bytes) {
        if (bytes == 0) {
            on_change(w.dir / "golaunch-changes-overflowed.go");
            return;
        }
        const auto* base = reinterpret_cast<const char*>(w.buffer.data());
        std::size_t at = 0;
        while (at + sizeof(FILE_NOTIFY_INFORMATION) <= bytes) {
            const auto* info = reinterpret_cast<const FILE_NOTIFY_INFORMATION*>(base + at);
            const std::wstring name(info->FileName, info->FileNameLength / sizeof(WCHAR));
            on_change(w.dir / name);
            if (info->NextEntryOffset == 0) {
                break;
            }
            at += info->NextEntryOffset;
        }
    }
};

FileWatch::FileWatch(boost::asio::io_context& io,
                     std::function<void(const std::filesystem::path&)> on_change)
    : m_impl(std::make_shared<Impl>(io)) {
    m_impl->on_change = std::move(on_change);
}

FileWatch::~FileWatch() {
    m_impl->closed = true;
    for (const auto& w : m_impl->watched) {
        boost::system::error_code ignored;
        w->dir_handle.close(ignored); // pending reads complete with operation_aborted
    }
}

void FileWatch::add(const std::filesystem::path& dir) {
    if (!m_impl->dirs.insert(dir).second) {
        return;
    }
    const HANDLE handle =
        ::CreateFileW(dir.wstring().c_str(), FILE_LIST_DIRECTORY,
                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                      OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OVERLAPPED, nullptr);
    if (handle == INVALID_HANDLE_VALUE) {
        m_impl->dirs.erase(dir);
        throw Error("cannot watch " + dir.string() + ": " + win32_error_text(::GetLastError()));
    }
    auto w = std::make_shared<WatchedDirectory>(m_impl->io, handle, dir);
    m_impl->watched.push_back(w);
    m_impl->arm(w);
}

std::size_t FileWatch::size() const {
    return m_impl->dirs.size();
}

} // namespace golaunch
