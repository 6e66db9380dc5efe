// .env files.
#include <unistd.h>

#include "manifest/env_file.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using Entries = EnvEntries;

std::string env_error(const std::string& text) {
    try {
        parse_env_file(text, ".env");
    } catch (const Error& error) {
        EXPECT_EQ(error.code(), ExitCode::usage);
        return error.what();
    }
    return "no error";
}

TEST(EnvFile, PlainEntriesCommentsAndBlankLines) {
    EXPECT_EQ(parse_env_file("# settings\n"
                             "\n"
                             "A=1\n"
                             "  B = two words  \n"
                             "export C=3\n"
                             "D=\n"
                             "E=x # a comment\n"
                             "F=a#b\n"
                             "G= # only a comment\n"
                             "URL=postgres://u:p@h/db?x=1\n",
                             ".env"),
              (Entries{{"A", "1"},
                       {"B", "two words"},
                       {"C", "3"},
                       {"D", ""},
                       {"E", "x"},
                       {"F", "a#b"},
                       {"G", ""},
                       {"URL", "postgres://u:p@h/db?x=1"}}));
}

TEST(EnvFile, QuotedValues) {
    EXPECT_EQ(parse_env_file("S='literal $HOME \\n # not a comment'\n"
                             "D=\"line1\\nline2 \\\"q\\\" back\\\\slash \\x\"\n"
                             "T=\"  padded  \"  # comment\n"
                             "M=\"first\n"
                             "second\"\n"
                             "N=after\n",
                             ".env"),
              (Entries{{"S", "literal $HOME \\n # not a comment"},
                       {"D", "line1\nline2 \"q\" back\\slash \\x"},
                       {"T", "  padded  "},
                       {"M", "first\nsecond"},
                       {"N", "after"}}));
}

TEST(EnvFile, CrlfLineEndings) {
    EXPECT_EQ(parse_env_file("A=1\r\nB='two'\r\n\r\n# c\r\nC=\"3\"\r\n", ".env"),
              (Entries{{"A", "1"}, {"B", "two"}, {"C", "3"}}));
}

TEST(EnvFile, KeepsFileOrderAndRepeats) {
    EXPECT_EQ(parse_env_file("B=1\nA=2\nB=3", ".env"),
              (Entries{{"B", "1"}, {"A", "2"}, {"B", "3"}}));
}

TEST(EnvFile, ErrorsNameFileLineAndColumn) {
    EXPECT_EQ(env_error("A=1\n\nnot an assignment\n"), ".env:3:5: error: expected KEY=VALUE\n"
                                                       "    3 | not an assignment\n"
                                                       "      |     ^");
    EXPECT_EQ(env_error("JUSTAKEY\n"), ".env:1:9: error: expected KEY=VALUE\n"
                                       "    1 | JUSTAKEY\n"
                                       "      |         ^");
    EXPECT_EQ(env_error("=value\n"), ".env:1:1: error: expected KEY=VALUE\n"
                                     "    1 | =value\n"
                                     "      | ^");
    EXPECT_EQ(env_error("A=1\n  export 1BAD=x\n"),
              ".env:2:10: error: invalid variable name '1BAD'\n"
              "    2 |   export 1BAD=x\n"
              "      |          ^");
    EXPECT_EQ(env_error("A=1\nB=\"open\nC=2\n"), ".env:2:3: error: missing closing \"\n"
                                                 "    2 | B=\"open\n"
                                                 "      |   ^");
    EXPECT_EQ(env_error("A='x' y\n"), ".env:1:7: error: unexpected text after the closing quote\n"
                                      "    1 | A='x' y\n"
                                      "      |       ^");
    EXPECT_EQ(env_error("A=1\r\nK\xC3\xA9Y=x\r\n"), ".env:2:1: error: invalid variable name "
                                                    "'K\xC3\xA9Y'\n"
                                                    "    2 | K\xC3\xA9Y=x\n"
                                                    "      | ^");
    EXPECT_EQ(env_error("A=\"\xC3\xA9\" x\n"), ".env:1:7: error: unexpected text after the "
                                               "closing quote\n"
                                               "    1 | A=\"\xC3\xA9\" x\n"
                                               "      |       ^");
}

TEST(EnvFile, ErrorsAreLocatedWithAHint) {
    try {
        parse_env_file("A=1\nB\n", ".env");
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_TRUE(error.is_located());
        EXPECT_EQ(error.hint(), "write one KEY=VALUE per line; quote values with '...' or \"...\"");
    }
}

TEST(EnvFile, LoadsFromDisk) {
    const test::TempDir dir;
    const auto path = dir.write(".env", "export TOKEN='abc'\nPORT=1\n");
    EXPECT_EQ(load_env_file(path), (Entries{{"TOKEN", "abc"}, {"PORT", "1"}}));
}

TEST(EnvFile, MissingFileIsAnError) {
    const test::TempDir dir;
    try {
        load_env_file(dir.path() / ".env");
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()),
                  "cannot read " + (dir.path() / ".env").string() + ": No such file or directory");
        EXPECT_EQ(error.code(), ExitCode::usage);
    }
}

} // namespace
} // namespace golaunch
