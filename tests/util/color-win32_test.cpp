// stream_kind on real Windows handles: a named pipe named like an MSYS2/Cygwin pty is a terminal
// (what mintty and Git Bash give a program), any other pipe and NUL are not.
#include "util/color.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <cstdio>
#include <string>

namespace golaunch {
namespace {

// The client end of a new named pipe called `name`, as a FILE* (nullptr on failure).
struct PipeStream {
    explicit PipeStream(const std::wstring& name) {
        const std::wstring path = L"\\\\.\\pipe\\" + name;
        server = CreateNamedPipeW(path.c_str(), PIPE_ACCESS_INBOUND, PIPE_TYPE_BYTE | PIPE_WAIT, 1,
                                  0, 4096, 0, nullptr);
        if (server == INVALID_HANDLE_VALUE) {
            return;
        }
        HANDLE client =
            CreateFileW(path.c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING, 0, nullptr);
        if (client == INVALID_HANDLE_VALUE) {
            return;
        }
        const int fd = _open_osfhandle(reinterpret_cast<intptr_t>(client), _O_WRONLY);
        stream = fd < 0 ? nullptr : _fdopen(fd, "w");
    }
    ~PipeStream() {
        if (stream != nullptr) {
            std::fclose(stream);
        }
        if (server != INVALID_HANDLE_VALUE) {
            CloseHandle(server);
        }
    }
    HANDLE server = INVALID_HANDLE_VALUE;
    std::FILE* stream = nullptr;
};

TEST(StreamKindWin32, AnMsysPtyPipeIsATerminal) {
    const std::wstring suffix = std::to_wstring(GetCurrentProcessId());
    PipeStream msys(L"msys-1888ae32e00d56aa-pty" + suffix + L"-to-master");
    ASSERT_NE(msys.stream, nullptr);
    EXPECT_EQ(stream_kind(msys.stream), StreamKind::terminal);

    PipeStream plain(L"golaunch-color-test-" + suffix);
    ASSERT_NE(plain.stream, nullptr);
    EXPECT_EQ(stream_kind(plain.stream), StreamKind::other);
}

TEST(StreamKindWin32, NulIsNotAConsole) {
    std::FILE* nul = std::fopen("NUL", "w");
    ASSERT_NE(nul, nullptr);
    EXPECT_EQ(stream_kind(nul), StreamKind::other);
    std::fclose(nul);
}

} // namespace
} // namespace golaunch
