// `run` details: service selection, shell services, env_file, $PORT and interpolated env.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

TEST(RunOptions, NamedServiceStartsWithItsDependenciesOnly) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto a = ports[0];
    const auto b = ports[1];
    const std::string server = toml_quoted(fixture("httpserver"));
    const auto manifest =
        dir.write("app.toml", "version = 1\n"
                              "[services.db]\ncmd = [" +
                                  server + "]\nports = { p = " + std::to_string(a) +
                                  " }\n"
                                  "[services.api]\ncmd = [" +
                                  server + "]\nports = { p = " + std::to_string(b) +
                                  " }\n"
                                  "depends_on = [\"db\"]\n"
                                  "[services.unrelated]\ncmd = [\"sleep\", \"60\"]\n");
    GolaunchRun run(dir, {"run", manifest.string(), "api", "--json", "--stop-when-ready"});
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    const auto starting = run.wait_for_event("starting", "", 0ms);
    ASSERT_TRUE(starting);
    EXPECT_EQ((*starting)["services"], nlohmann::json({"db", "api"}));
    EXPECT_FALSE(run.wait_for_event("started", "unrelated", 0ms));
}

TEST(RunOptions, ShellServiceSeesEnvFilePortAndInterpolatedEnv) {
    TempDir dir;
    const auto port = pick_free_port();
    dir.write(".env", "# settings\nexport GREETING='hello from env_file'\nMODE=\"dev\"\n");
    const auto manifest = dir.write(
        "app.toml",
        "version = 1\n[services.web]\nenv_file = \".env\"\n"
        "env = { SELF_URL = \"http://127.0.0.1:${ports.web.http}\", MODE = \"override\" }\n"
        "shell = \"echo \\\"$GREETING|$MODE|$PORT|$PORT_HTTP|$SELF_URL|$GOLAUNCH_SERVICE\\\"; "
        "exec " +
            fixture("httpserver") +
            " -name web\"\n"
            "ports = { http = " +
            std::to_string(port) + " }\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--stop-when-ready"});
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    const std::string p = std::to_string(port);
    EXPECT_NE(run.output().find("hello from env_file|override|" + p + "|" + p +
                                "|http://127.0.0.1:" + p + "|web"),
              std::string::npos)
        << run.output();
}

TEST(RunOptions, ProgramNotFoundIsReportedBeforeAnythingStarts) {
    TempDir dir;
    const auto manifest = dir.write(
        "app.toml", "version = 1\n[services.web]\ncmd = [\"no-such-program-golaunch\"]\n");
    GolaunchRun run(dir, {"run", manifest.string()});
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1);
    EXPECT_NE(
        run.output().find(
            "golaunch: error: service 'web': program 'no-such-program-golaunch' not found on PATH"),
        std::string::npos)
        << run.output();
}

TEST(RunOptions, GoBuildFailureShowsTheCompilerErrorAndExits1) {
    TempDir dir;
    dir.write("go.mod", "module example.com/broken\n\ngo 1.19\n");
    dir.write("cmd/broken/main.go", "package main\n\nfunc main() {\n\tundefinedThing()\n}\n");
    const auto manifest =
        dir.write("app.toml", "version = 1\n[services.broken]\ngo = \"./cmd/broken\"\n");
    GolaunchRun run(dir, {"run", manifest.string()});
    const auto status = run.wait_for_exit(120s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1) << run.output();
    EXPECT_NE(run.output().find("broken   | cmd/broken/main.go:4:2: undefined: undefinedThing"),
              std::string::npos)
        << run.output();
    EXPECT_NE(run.output().find("error: go build ./cmd/broken failed (exited with status "),
              std::string::npos)
        << run.output();
    EXPECT_FALSE(std::filesystem::exists(dir.path() / ".golaunch/bin/broken"));
}

} // namespace
} // namespace golaunch::test
