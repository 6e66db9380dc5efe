// The terminal-safe filter on real escape sequences, as programs print them.
#include "util/terminal_text.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

TEST(TerminalText, KeepsPlainTextTabsAndUtf8) {
    EXPECT_EQ(terminal_safe("plain\ttext: caf\xc3\xa9 \xc2\xa9 \xe2\x80\xa6"),
              "plain\ttext: caf\xc3\xa9 \xc2\xa9 \xe2\x80\xa6");
}

TEST(TerminalText, KeepsSgrColoursAndStyles) {
    const std::string coloured = "\x1b[31mred\x1b[0m \x1b[1;38;5;208mbold orange\x1b[m "
                                 "\x1b[38:2:255:0:0mtruecolor\x1b[39m";
    EXPECT_EQ(terminal_safe(coloured), coloured);
}

TEST(TerminalText, RemovesCursorMovementEraseAndModes) {
    EXPECT_EQ(terminal_safe("a\x1b[2J\x1b[Hb\x1b[10;20Hc\x1b[?25ld\x1b[3Ae\x1b[?1049hf\x1b[6ng"),
              "abcdefg");
    // A private-parameter sequence ending in 'm' is not SGR either (xterm's modifyKeys).
    EXPECT_EQ(terminal_safe("x\x1b[>4;2my"), "xy");
}

TEST(TerminalText, RemovesOscTitleHyperlinkAndClipboard) {
    EXPECT_EQ(terminal_safe("\x1b]0;owned title\x07"
                            "after"),
              "after");
    EXPECT_EQ(terminal_safe("\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"), "click");
    EXPECT_EQ(terminal_safe("a\x1b]52;c;ZWNobyBoaQ==\x07"
                            "b"),
              "ab");
}

TEST(TerminalText, RemovesDcsApcAndOtherEscapes) {
    EXPECT_EQ(terminal_safe("a\x1bP1$r0m\x1b\\b"), "ab");       // DCS (DECRQSS reply)
    EXPECT_EQ(terminal_safe("a\x1b_Gf=100;AAAA\x1b\\b"), "ab"); // APC (kitty graphics)
    EXPECT_EQ(terminal_safe("a\x1b"
                            "cb\x1b"
                            "7c\x1b"
                            "8d\x1b(0e\x1b"
                            "Mf"),
              "abcdef");
}

TEST(TerminalText, RemovesC0ControlsDelAndC1) {
    EXPECT_EQ(terminal_safe("one\rtwo\bthree\x07"
                            "four\x0b\x0c\x0e\x0f\x7f"
                            "five"),
              "onetwothreefourfive");
    EXPECT_EQ(terminal_safe("x\xc2\x9b"
                            "2Jy\xc2\x9d"
                            "0;t\xc2\x9cz"),
              "x2Jy0;tz"); // 8-bit CSI/OSC
}

TEST(TerminalText, RemovesSequencesCutShortAtTheEnd) {
    EXPECT_EQ(terminal_safe("abc\x1b[31"), "abc");
    EXPECT_EQ(terminal_safe("abc\x1b]0;half a title"), "abc");
    EXPECT_EQ(terminal_safe("abc\x1b"), "abc");
}

// Plain text is scanned 8 bytes at a time: a control at any offset, in a block or the tail.
TEST(TerminalText, FindsAControlAtEveryOffset) {
    for (std::size_t at = 0; at <= 24; ++at) {
        const std::string before(at, 'a');
        const std::string after(24 - at, 'b');
        EXPECT_EQ(terminal_safe(before + "\r" + after), before + after) << at;
        EXPECT_EQ(terminal_safe(before + "\x7f" + after), before + after) << at;
        EXPECT_EQ(terminal_safe(before + "\t\xc2\xa9" + after), before + "\t\xc2\xa9" + after);
        EXPECT_EQ(terminal_safe(before + "\x1b[1A" + after), before + after) << at;
    }
}

TEST(TerminalText, AppendsToWhatIsThere) {
    std::string out = "svc | ";
    append_terminal_safe(out, "\x1b[32mok\x1b[0m\x1b[K");
    EXPECT_EQ(out, "svc | \x1b[32mok\x1b[0m");
}

} // namespace
} // namespace golaunch
