// Regressions found by tests/fuzz/manifest_fuzzer: code points that drove toml++ 3.3 into
// undefined behaviour (its whitespace test reaches __builtin_unreachable) now give a located
// error before toml++ sees them, and the same code points in strings and comments still load.
#include "manifest/loader.hpp"
#include "manifest/toml_guard.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace golaunch {
namespace {

Error manifest_error(const std::string& text) {
    try {
        parse_manifest(text, "app.toml", "/work/shop");
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return Error("no error");
}

// The fuzzer's first crash (crash-4b752e7c93a44f0e55dab4c01330053ac742925a), verbatim:
// U+FEBF ("\xEF\xBA\xBF") inside a table header's bare key.
TEST(TomlGuardFuzzRegression, FirstCrashIsALocatedError) {
    const std::string crash = "[se\xEF\xBA\xBFrvices.ape\xEF\xBB\xBFrvices.api]\n"
                              "go = \"./cmd/api\"\xCF\n"
                              "po\xFF\xFF\xFF\xFFrts = { http\xFF\xFF\xFFrts = { http = 70000 }\n";
    const Error error = manifest_error(crash);
    EXPECT_EQ(std::string(error.what()),
              "app.toml:1:4: error: unexpected character U+FEBF\n"
              "    1 | [se\xEF\xBA\xBFrvices.ape\xEF\xBB\xBFrvices.api]\n"
              "      |    ^");
    EXPECT_EQ(error.code(), ExitCode::usage);
    EXPECT_TRUE(error.is_located());
}

// The fuzzer's second crash (crash-3d3093b266a779b4905ea7db6ffa4d9eaed05160), shortened: the
// quotes after `2./` belong to a bare token that toml++ scans to its end, so the code point
// inside them (U+0464) is asked the whitespace question too.
TEST(TomlGuardFuzzRegression, QuotesInsideABareTokenAreNoString) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = 2./\"\"\"cmd\xD1\xA4pi\"\n"
                                       "\"fail # onl= [seessr = vic12\x16\x16\x16\x16"
                                       "7\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:2:15: error: unexpected character U+0464\n"
                                         "    2 | go = 2./\"\"\"cmd\xD1\xA4pi\"\n"
                                         "      |               ^");
}

// The fuzzer's third crash (crash-882abb047627162fe6cfab213f1175c17c7d437a), verbatim: the value
// starts `1pgortC=`, a bare token, so the quote after its '=' opens no string.
TEST(TomlGuardFuzzRegression, EqualsInsideABareTokenOpensNoString) {
    const Error error = manifest_error("A=1pgortC=\"3hirtporportC=tC=\xCE\x91");
    EXPECT_EQ(std::string(error.what()), "app.toml:1:29: error: unexpected character U+0391\n"
                                         "    1 | A=1pgortC=\"3hirtporportC=tC=\xCE\x91\n"
                                         "      |                             ^");
}

// Quotes where keys and values begin are strings, however compactly written: their text loads.
TEST(TomlGuardFuzzRegression, QuotedKeysAndCompactValuesLoad) {
    const Manifest manifest = parse_manifest("[services.\"api\"]\n"
                                             "shell=\"\xC3\xA9\"\n"
                                             "env.\"K\xC3\xA9\" = \"v\"\n"
                                             "args=[\"\xC3\xA9\",'\xC3\xA9', # \xC3\xA9\n"
                                             "  \"x\" ,\"\xC3\xA9\"]\n",
                                             "app.toml", "/work/shop");
    ASSERT_EQ(manifest.services.size(), 1U);
    EXPECT_EQ(manifest.services[0].shell, "\xC3\xA9");
    EXPECT_EQ(manifest.services[0].env.at("K\xC3\xA9"), "v");
    EXPECT_EQ(manifest.services[0].args.size(), 4U);
    // A quoted key in a table header reaches the loader's own checks.
    const Error error = manifest_error("[services.\"\xC3\xA9\"]\nshell = \"true\"\n");
    EXPECT_NE(std::string(error.what()).find("app.toml:1:11: error: invalid service name"),
              std::string::npos)
        << error.what();
}

TEST(TomlGuardFuzzRegression, NonAsciiAfterAValueIsALocatedError) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "max_restarts = 3\xC3\xA9\n"); // 'é' U+00E9
    EXPECT_EQ(std::string(error.what()), "app.toml:3:17: error: unexpected character U+00E9\n"
                                         "    3 | max_restarts = 3\xC3\xA9\n"
                                         "      |                 ^");
}

TEST(TomlGuardFuzzRegression, NonAsciiAfterALineEndingBackslashIsALocatedError) {
    const Error error = manifest_error("[services.api]\n"
                                       "shell = \"\"\"echo \\\n"
                                       "   \xE3\x81\x82\"\"\"\n"); // 'あ' U+3042
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:4: error: unsupported character U+3042 after a backslash\n"
              "    3 |    \xE3\x81\x82\"\"\"\n"
              "      |    ^");
    EXPECT_NE(error.hint().find("line-ending backslash"), std::string::npos);
}

TEST(TomlGuardFuzzRegression, NonAsciiEscapeInMultiLineStringIsALocatedError) {
    const Error error = manifest_error("[services.api]\n"
                                       "shell = \"\"\"echo \\\xEF\xBA\xBF\"\"\"\n");
    EXPECT_NE(std::string(error.what()).find("app.toml:2:18: error: unsupported character U+FEBF"),
              std::string::npos)
        << error.what();
}

// The same code points where toml++ never tests them for whitespace: they load as before.
TEST(TomlGuardFuzzRegression, NonAsciiInStringsAndCommentsStillLoads) {
    const std::string text = "# caf\xC3\xA9 \xE3\x81\x82 \xEF\xBA\xBF\n"
                             "name = \"caf\xC3\xA9\"\n"
                             "[services.api] # \xC3\xA9\n"
                             "shell = \"\"\"echo \xC3\xA9 \\\n"
                             "   x\xE3\x81\x82 \\\"\xC3\xA9\"\"\"\"\n"
                             "args = ['\xEF\xBA\xBF', '''\n\xC3\xA9''', \"\\\"\xC3\xA9\"]\n"
                             "env = { \"K\xC3\xA9\" = \"\xE3\x81\x82\" }\n";
    const Manifest manifest = parse_manifest(text, "app.toml", "/work/shop");
    EXPECT_EQ(manifest.name, "caf\xC3\xA9");
    ASSERT_EQ(manifest.services.size(), 1U);
    const ServiceSpec& api = manifest.services[0];
    EXPECT_EQ(api.shell, "echo \xC3\xA9 x\xE3\x81\x82 \"\xC3\xA9\"");
    EXPECT_EQ(api.args, (std::vector<std::string>{"\xEF\xBA\xBF", "\xC3\xA9", "\"\xC3\xA9"}));
    EXPECT_EQ(api.env.at("K\xC3\xA9"), "\xE3\x81\x82");
}

// The mirrored table: three blocks of 1018 code points fall through toml++'s switch; the
// code points it names as whitespace, and everything outside U+00A1..U+FEFE, do not.
TEST(TomlGuardFuzzRegression, WhitespaceTestBlocks) {
    EXPECT_FALSE(trips_toml_whitespace_test(U'a'));
    EXPECT_FALSE(trips_toml_whitespace_test(0xA0));
    EXPECT_TRUE(trips_toml_whitespace_test(0xA1));
    EXPECT_TRUE(trips_toml_whitespace_test(0xE9));
    EXPECT_TRUE(trips_toml_whitespace_test(0x499));
    EXPECT_FALSE(trips_toml_whitespace_test(0x49A));
    EXPECT_FALSE(trips_toml_whitespace_test(0x1680));
    EXPECT_FALSE(trips_toml_whitespace_test(0x2001));
    EXPECT_TRUE(trips_toml_whitespace_test(0x2C5E));
    EXPECT_FALSE(trips_toml_whitespace_test(0x3000));
    EXPECT_TRUE(trips_toml_whitespace_test(0x3042));
    EXPECT_FALSE(trips_toml_whitespace_test(0x3058));
    EXPECT_TRUE(trips_toml_whitespace_test(0xFB26));
    EXPECT_TRUE(trips_toml_whitespace_test(0xFEBF));
    EXPECT_FALSE(trips_toml_whitespace_test(0xFEFF));
    EXPECT_FALSE(trips_toml_whitespace_test(0x1F600));
}

TEST(TomlGuardFuzzRegression, InvalidUtf8IsLeftToToml) {
    const Error error = manifest_error("name = 1\xFF\n");
    EXPECT_NE(std::string(error.what()).find("app.toml:1:"), std::string::npos) << error.what();
}

} // namespace
} // namespace golaunch
