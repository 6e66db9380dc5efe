// The colour decision (pure) and the MSYS/Cygwin pty pipe names; color-win32_test.cpp checks the
// Windows side on real handles.
#include "util/color.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

TEST(ColorDecision, AWindowsConsoleWithEscapesGetsColourWithoutTerm) {
    EXPECT_TRUE(color_wanted(StreamKind::console, nullptr, nullptr, nullptr));
    EXPECT_TRUE(color_wanted(StreamKind::console, "xterm-256color", nullptr, nullptr));
    EXPECT_FALSE(color_wanted(StreamKind::console, "dumb", nullptr, nullptr));
}

TEST(ColorDecision, ATerminalNeedsATermThatIsNotDumb) {
    EXPECT_TRUE(color_wanted(StreamKind::terminal, "xterm", nullptr, nullptr));
    EXPECT_FALSE(color_wanted(StreamKind::terminal, nullptr, nullptr, nullptr));
    EXPECT_FALSE(color_wanted(StreamKind::terminal, "dumb", nullptr, nullptr));
}

TEST(ColorDecision, PipesAndFilesGetNone) {
    EXPECT_FALSE(color_wanted(StreamKind::other, "xterm", nullptr, nullptr));
    EXPECT_FALSE(color_wanted(StreamKind::other, nullptr, nullptr, nullptr));
}

TEST(ColorDecision, NoColorAndClicolorForceStillWin) {
    EXPECT_FALSE(color_wanted(StreamKind::console, nullptr, "1", nullptr));
    EXPECT_FALSE(color_wanted(StreamKind::terminal, "xterm", "1", nullptr));
    EXPECT_TRUE(color_wanted(StreamKind::console, nullptr, "", nullptr)) << "empty NO_COLOR";
    EXPECT_TRUE(color_wanted(StreamKind::other, nullptr, nullptr, "1"));
    EXPECT_TRUE(color_wanted(StreamKind::other, nullptr, "1", "1")) << "force beats NO_COLOR";
    EXPECT_FALSE(color_wanted(StreamKind::other, "xterm", nullptr, "0"));
    EXPECT_FALSE(color_wanted(StreamKind::other, "xterm", nullptr, ""));
}

TEST(CygwinPtyPipeName, RecognisesMsysAndCygwinPtys) {
    EXPECT_TRUE(is_cygwin_pty_pipe_name("\\msys-1888ae32e00d56aa-pty0-from-master"));
    EXPECT_TRUE(is_cygwin_pty_pipe_name("\\msys-1888ae32e00d56aa-pty12-to-master"));
    EXPECT_TRUE(is_cygwin_pty_pipe_name("\\cygwin-e022582115c10879-pty3-to-master"));
    EXPECT_TRUE(is_cygwin_pty_pipe_name("cygwin-e022582115c10879-pty3-to-master"));
}

TEST(CygwinPtyPipeName, RefusesOtherPipes) {
    EXPECT_FALSE(is_cygwin_pty_pipe_name(""));
    EXPECT_FALSE(is_cygwin_pty_pipe_name("\\golaunch-hook-1-2-3"));
    EXPECT_FALSE(is_cygwin_pty_pipe_name("\\msys-1888ae32e00d56aa-pipe-0x1-to-master"));
    EXPECT_FALSE(is_cygwin_pty_pipe_name("\\msys-1888ae32e00d56aa-pty-from-master"));
    EXPECT_FALSE(is_cygwin_pty_pipe_name("\\msys-xyz-pty0-from-master"));
    EXPECT_FALSE(is_cygwin_pty_pipe_name("\\msys-1888ae32e00d56aa-pty0-from-slave"));
    EXPECT_FALSE(is_cygwin_pty_pipe_name("\\other-1888ae32e00d56aa-pty0-from-master"));
    EXPECT_FALSE(is_cygwin_pty_pipe_name("\\msys-1888ae32e00d56aa-pty0-from-master-x"));
}

} // namespace
} // namespace golaunch
