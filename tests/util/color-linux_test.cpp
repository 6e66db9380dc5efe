// stream_kind on real descriptors: a pty is a terminal, a pipe and a file are not.
#include "util/color.hpp"

#include <gtest/gtest.h>

#include <pty.h>
#include <unistd.h>

#include <cstdio>

namespace golaunch {
namespace {

TEST(StreamKindLinux, APtyIsATerminalAndAPipeOrFileIsNot) {
    int master = -1;
    int slave = -1;
    ASSERT_EQ(::openpty(&master, &slave, nullptr, nullptr, nullptr), 0);
    std::FILE* pty = ::fdopen(slave, "w");
    ASSERT_NE(pty, nullptr);
    EXPECT_EQ(stream_kind(pty), StreamKind::terminal);
    std::fclose(pty);
    ::close(master);

    int ends[2];
    ASSERT_EQ(::pipe(ends), 0);
    std::FILE* pipe = ::fdopen(ends[1], "w");
    ASSERT_NE(pipe, nullptr);
    EXPECT_EQ(stream_kind(pipe), StreamKind::other);
    std::fclose(pipe);
    ::close(ends[0]);

    std::FILE* file = std::tmpfile();
    ASSERT_NE(file, nullptr);
    EXPECT_EQ(stream_kind(file), StreamKind::other);
    std::fclose(file);
}

} // namespace
} // namespace golaunch
