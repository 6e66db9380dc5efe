// Program lookup and environment keys keep Unix rules on Linux: a bare name is looked up on PATH
// only (never in the service's directory), and keys are case-sensitive.
#include "supervise/launch_platform.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <filesystem>

namespace golaunch {
namespace {

TEST(FindProgramLinux, ABareNameIsLookedUpOnPathOnly) {
    const test::TempDir local;
    const test::TempDir on_path;
    for (const auto* dir : {&local, &on_path}) {
        const auto tool = dir->write("tool", "#!/bin/sh\n");
        std::filesystem::permissions(tool, std::filesystem::perms::owner_all);
    }
    const std::vector<std::string> env{"PATH=" + on_path.path().string()};
    EXPECT_EQ(find_program("tool", env, {local.path()}), on_path.path() / "tool");
    EXPECT_TRUE(find_program("tool", {"PATH=/nonexistent"}, {local.path()}).empty());
}

TEST(DisplayCommandLinux, QuotesAsAPosixShell) {
    LaunchSpec spec;
    spec.executable = "/srv/demo app/httpserver";
    spec.args = {"-addr", "127.0.0.1:8080", "it's"};
    EXPECT_EQ(display_command(spec), "'/srv/demo app/httpserver' -addr 127.0.0.1:8080 'it'\\''s'");
}

TEST(EnvKeysLinux, AreCaseSensitive) {
    EXPECT_TRUE(same_env_key("PATH", "PATH"));
    EXPECT_FALSE(same_env_key("Path", "PATH"));
}

} // namespace
} // namespace golaunch
