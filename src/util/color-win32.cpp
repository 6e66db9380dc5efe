#include "util/color.hpp"

#include "util/wide_text.hpp"

#include <io.h>
#include <windows.h>

#include <cstddef>
#include <vector>

#ifndef ENABLE_VIRTUAL_TERMINAL_PROCESSING
#define ENABLE_VIRTUAL_TERMINAL_PROCESSING 0x0004
#endif

namespace golaunch {

namespace {

// The pipe's name ("\msys-...-pty0-to-master"), or empty.
std::string pipe_name(HANDLE handle) {
    std::vector<unsigned char> buffer(sizeof(FILE_NAME_INFO) + MAX_PATH * sizeof(wchar_t));
    if (GetFileInformationByHandleEx(handle, FileNameInfo, buffer.data(),
                                     static_cast<DWORD>(buffer.size())) == 0) {
        return {};
    }
    const auto* info = reinterpret_cast<const FILE_NAME_INFO*>(buffer.data());
    const std::size_t length = info->FileNameLength / sizeof(wchar_t);
    if (length > MAX_PATH) {
        return {};
    }
    return from_wide(std::wstring_view(info->FileName, length));
}

} // namespace

StreamKind stream_kind(std::FILE* stream) {
    const int fd = _fileno(stream);
    const auto handle =
        fd < 0 ? INVALID_HANDLE_VALUE : reinterpret_cast<HANDLE>(_get_osfhandle(fd));
    if (handle == INVALID_HANDLE_VALUE || handle == nullptr) {
        return StreamKind::other;
    }
    switch (GetFileType(handle)) {
    case FILE_TYPE_CHAR: { // a console, or NUL (which has no console mode)
        DWORD mode = 0;
        if (GetConsoleMode(handle, &mode) == 0) {
            return StreamKind::other;
        }
        if ((mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0 ||
            SetConsoleMode(handle, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0) {
            return StreamKind::console;
        }
        return StreamKind::other; // a console older than Windows 10 1511: no escapes
    }
    case FILE_TYPE_PIPE:
        return is_cygwin_pty_pipe_name(pipe_name(handle)) ? StreamKind::terminal
                                                          : StreamKind::other;
    default:
        return StreamKind::other;
    }
}

} // namespace golaunch
