// String helpers, especially the "did you mean" match.
#include "util/strings.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

TEST(Strings, EditDistance) {
    EXPECT_EQ(edit_distance("", ""), 0u);
    EXPECT_EQ(edit_distance("ports", "ports"), 0u);
    EXPECT_EQ(edit_distance("prots", "ports"), 2u);
    EXPECT_EQ(edit_distance("kitten", "sitting"), 3u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
}

TEST(Strings, ClosestMatchFindsTypos) {
    const std::vector<std::string> keys = {"go",  "cmd",   "shell",      "args",
                                           "env", "ports", "depends_on", "startup_timeout"};
    EXPECT_EQ(closest_match("prots", keys), "ports");
    EXPECT_EQ(closest_match("depend_on", keys), "depends_on");
    EXPECT_EQ(closest_match("startup_timout", keys), "startup_timeout");
    EXPECT_EQ(closest_match("shel", keys), "shell");
}

TEST(Strings, ClosestMatchGivesNothingForUnrelatedWords) {
    EXPECT_EQ(closest_match("colour", {"restart", "backoff", "stop_grace"}), "");
    EXPECT_EQ(closest_match("anything", {}), "");
}

TEST(Strings, TrimSplitJoin) {
    EXPECT_EQ(trim("  a b \t\r\n"), "a b");
    EXPECT_EQ(split("a.b..c", '.'), (std::vector<std::string>{"a", "b", "", "c"}));
    EXPECT_EQ(join({"a", "b", "c"}, ", "), "a, b, c");
}

TEST(Strings, ShellQuote) {
    EXPECT_EQ(shell_quote("plain-arg_1.txt"), "plain-arg_1.txt");
    EXPECT_EQ(shell_quote("two words"), "'two words'");
    EXPECT_EQ(shell_quote("it's"), "'it'\\''s'");
    EXPECT_EQ(shell_join({"go", "build", "-o", "a b"}), "go build -o 'a b'");
}

} // namespace
} // namespace golaunch
