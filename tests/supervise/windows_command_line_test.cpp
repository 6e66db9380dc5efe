// Windows command-line quoting, checked against the documented MSVCRT examples and by round
// trips through the parser. Portable: runs on Linux too.
#include "supervise/windows_command_line.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using Args = std::vector<std::string>;

// The table in Microsoft's "Parsing C command-line arguments".
TEST(WindowsCommandLine, ParsesTheDocumentedExamples) {
    EXPECT_EQ(parse_windows_command_line(R"(p "a b c" d e)"), (Args{"p", "a b c", "d", "e"}));
    EXPECT_EQ(parse_windows_command_line(R"(p "ab\"c" "\\" d)"), (Args{"p", "ab\"c", "\\", "d"}));
    EXPECT_EQ(parse_windows_command_line(R"(p a\\\b d"e f"g h)"),
              (Args{"p", "a\\\\\\b", "de fg", "h"}));
    EXPECT_EQ(parse_windows_command_line(R"(p a\\\"b c d)"), (Args{"p", "a\\\"b", "c", "d"}));
    EXPECT_EQ(parse_windows_command_line(R"(p a\\\\"b c" d e)"), (Args{"p", "a\\\\b c", "d", "e"}));
    EXPECT_EQ(parse_windows_command_line(R"(p a"b"" c d)"), (Args{"p", "ab\" c d"}));
}

TEST(WindowsCommandLine, ProgramIsReadWithoutEscapes) {
    EXPECT_EQ(parse_windows_command_line(R"("C:\Program Files\x\" a)"),
              (Args{"C:\\Program Files\\x\\", "a"}));
    EXPECT_EQ(quote_windows_program("C:\\Program Files\\go\\bin\\go.exe"),
              "\"C:\\Program Files\\go\\bin\\go.exe\"");
    EXPECT_EQ(quote_windows_program("C:\\go\\go.exe"), "C:\\go\\go.exe");
}

TEST(WindowsCommandLine, QuotesOnlyWhatNeedsIt) {
    EXPECT_EQ(quote_windows_argument("plain"), "plain");
    EXPECT_EQ(quote_windows_argument("C:\\dir\\file"), "C:\\dir\\file"); // backslashes literal
    EXPECT_EQ(quote_windows_argument(""), "\"\"");
    EXPECT_EQ(quote_windows_argument("a b"), "\"a b\"");
    EXPECT_EQ(quote_windows_argument("say \"hi\""), "\"say \\\"hi\\\"\"");
    EXPECT_EQ(quote_windows_argument("C:\\dir with space\\"), "\"C:\\dir with space\\\\\"");
    EXPECT_EQ(quote_windows_argument("a\\\"b"), "\"a\\\\\\\"b\"");
    EXPECT_EQ(windows_command_line("C:\\bin\\api.exe", {"-addr", "127.0.0.1:8080", "a b"}),
              "C:\\bin\\api.exe -addr 127.0.0.1:8080 \"a b\"");
}

TEST(WindowsCommandLine, EveryArgumentSurvivesTheRoundTrip) {
    const Args arguments{"plain",    "",        " ",         "a b",          "\"",
                         "\\",       "\\\\",    "\\\"",      "trailing\\",   "trail two\\\\",
                         "a\\\\\"b", "x\"y\"z", "tab\there", "new\nline",    "v\vt",
                         "\"\"",     "%PATH%",  "^&|<>",     "h\xc3\xa9llo", "\\\\server\\share\\"};
    const auto parsed = parse_windows_command_line(windows_command_line("C:\\p.exe", arguments));
    ASSERT_EQ(parsed.size(), arguments.size() + 1);
    EXPECT_EQ(parsed.front(), "C:\\p.exe");
    EXPECT_EQ(Args(parsed.begin() + 1, parsed.end()), arguments);
    for (const auto& argument : arguments) {
        const auto alone = parse_windows_command_line("p " + quote_windows_argument(argument));
        ASSERT_EQ(alone.size(), 2u) << argument;
        EXPECT_EQ(alone[1], argument);
    }
}

TEST(WindowsCommandLine, ExhaustiveShortArgumentsRoundTrip) {
    // Every string of up to 5 characters over the ones that matter.
    const std::string alphabet = "a \\\"\t";
    std::vector<std::string> all{""};
    for (std::size_t length = 0, begin = 0; length < 5; ++length) {
        const std::size_t end = all.size();
        for (std::size_t i = begin; i < end; ++i) {
            for (const char c : alphabet) {
                all.push_back(all[i] + c);
            }
        }
        begin = end;
    }
    ASSERT_EQ(all.size(), 1u + 5 + 25 + 125 + 625 + 3125);
    for (const auto& argument : all) {
        const auto parsed =
            parse_windows_command_line("p " + quote_windows_argument(argument) + " z");
        ASSERT_EQ(parsed, (Args{"p", argument, "z"})) << "[" << argument << "]";
    }
}

} // namespace
} // namespace golaunch
