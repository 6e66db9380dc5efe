// Program lookup and environment keys as Windows users expect them (run under Wine in CI): a bare
// program name is found next to the manifest before PATH, with PATHEXT's extensions, and "Path"
// is PATH.
#include "supervise/launch_platform.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace golaunch {
namespace {

// The same file (Windows names are case-insensitive: PATHEXT gives "httpserver.EXE").
bool same_file(const std::filesystem::path& found, const std::filesystem::path& expected) {
    std::error_code error;
    return !found.empty() && std::filesystem::equivalent(found, expected, error);
}

TEST(FindProgramWin32, ABareNameIsFoundInTheServiceDirectoryBeforePath) {
    const test::TempDir local;
    const test::TempDir on_path;
    const auto here = local.write("httpserver.exe", "MZ");
    on_path.write("httpserver.exe", "MZ");
    const std::vector<std::string> env{"Path=" + on_path.path().string()};
    EXPECT_TRUE(same_file(find_program("httpserver.exe", env, {local.path()}), here));
    EXPECT_TRUE(same_file(find_program("httpserver", env, {local.path()}), here))
        << "PATHEXT's .EXE";
    EXPECT_TRUE(same_file(find_program("httpserver", env, {}), on_path.path() / "httpserver.exe"))
        << "Path (any case) is searched after the local directories";
}

TEST(FindProgramWin32, PathextDecidesTheExtensionsTried) {
    const test::TempDir local;
    const auto script = local.write("tool.cmd", "@echo off");
    EXPECT_TRUE(
        same_file(find_program("tool", {"PATHEXT=.EXE;.CMD", "PATH="}, {local.path()}), script));
    EXPECT_TRUE(find_program("tool", {"PATHEXT=.EXE", "PATH="}, {local.path()}).empty());
    EXPECT_TRUE(find_program("no-such-tool", {"PATH="}, {local.path()}).empty());
}

TEST(DisplayCommandWin32, QuotesAsCmdDoesNotAsAPosixShell) {
    LaunchSpec spec;
    spec.executable = L"C:\\Program Files\\demo\\httpserver.exe";
    spec.args = {"-addr", "127.0.0.1:8080", "two words"};
    EXPECT_EQ(display_command(spec),
              "\"C:\\Program Files\\demo\\httpserver.exe\" -addr 127.0.0.1:8080 \"two words\"");
    LaunchSpec shell;
    plan_shell(shell, "echo hi && httpserver", "web", {"a b"}, {});
    EXPECT_EQ(display_command(shell), "cmd.exe /d /s /c \"echo hi && httpserver \"a b\"\"");
}

TEST(EnvKeysWin32, AreCaseInsensitive) {
    EXPECT_TRUE(same_env_key("Path", "PATH"));
    EXPECT_TRUE(same_env_key("comspec", "COMSPEC"));
    EXPECT_FALSE(same_env_key("PATH", "PATHEXT"));
}

} // namespace
} // namespace golaunch
