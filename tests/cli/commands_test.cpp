// The golaunch binary's own behaviour on errors and on `check`: exit codes and exact text.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

int run_to_exit(GolaunchRun& run) {
    const auto status = run.wait_for_exit(20s);
    EXPECT_TRUE(status) << run.output();
    return status ? exit_code_of(*status) : -1;
}

TEST(CliVersion, NamesTheVersionAndTheGitRevision) {
    TempDir dir;
    GolaunchRun version(dir, {"--version"});
    ASSERT_EQ(version.wait_for_exit(30s), 0);
    const auto text = version.output();
    ASSERT_EQ(text.rfind("golaunch ", 0), 0u) << text;
    const auto open = text.find(" (");
    const auto close = text.find(")\n");
    ASSERT_NE(open, std::string::npos) << text;
    ASSERT_NE(close, std::string::npos) << text;
    const auto revision = text.substr(open + 2, close - open - 2);
    EXPECT_TRUE(revision == "unknown" ||
                (revision.size() == 12 &&
                 revision.find_first_not_of("0123456789abcdef") == std::string::npos))
        << text;
}

TEST(CliErrors, ManifestMistakeIsPrintedOnceWithLineCaretAndHint) {
    TempDir dir;
    const auto manifest = dir.write(
        "bad.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\nprots = { http = 8080 }\n");
    GolaunchRun run(dir, {"check", manifest.string()});
    EXPECT_EQ(run_to_exit(run), 2);
    EXPECT_EQ(run.output(), manifest.string() +
                                ":4:1: error: unknown key 'prots' in [services.api]\n"
                                "    4 | prots = { http = 8080 }\n"
                                "      | ^\n"
                                "hint: did you mean 'ports'?\n");
}

TEST(CliErrors, MissingManifestSaysWhereItLooked) {
    TempDir dir;
    GolaunchRun run(dir, {"run", (dir.path() / "nothere.toml").string()});
    EXPECT_EQ(run_to_exit(run), 2);
    EXPECT_EQ(run.output(),
              "golaunch: error: cannot read " + (dir.path() / "nothere.toml").string() +
                  ": No such file or directory\n"
                  "hint: run golaunch in the directory that holds golaunch.toml or app.toml, or "
                  "name the manifest\n");
}

TEST(CliErrors, UnknownCommandSuggestsTheClosestOne) {
    TempDir dir;
    GolaunchRun run(dir, {"chek"});
    EXPECT_EQ(run_to_exit(run), 2);
    EXPECT_EQ(run.output(),
              "golaunch: error: unknown command 'chek'\nhint: did you mean 'golaunch check'?\n");
}

TEST(CliErrors, UnknownServiceOnTheCommandLineIsAUsageError) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\n");
    GolaunchRun run(dir, {"run", manifest.string(), "apu"});
    EXPECT_EQ(run_to_exit(run), 2);
    EXPECT_NE(run.output().find("apu"), std::string::npos) << run.output();
    EXPECT_NE(run.output().find("did you mean 'api'?"), std::string::npos) << run.output();
}

TEST(CliCheck, CleanManifestExits0AndBusyPortExits3NamingTheOwner) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest =
        dir.write("app.toml", "version = 1\n[services.web]\ncmd = [\"true\"]\nports = { http = " +
                                  std::to_string(port) + " }\n");
    {
        GolaunchRun clean(dir, {"check", manifest.string(), "--json"});
        EXPECT_EQ(run_to_exit(clean), 0);
        const auto report = nlohmann::json::parse(clean.output());
        EXPECT_TRUE(report["ok"].get<bool>());
        EXPECT_EQ(report["summary"]["errors"], 0) << clean.output();
    }
    ChildProcess holder(
        {fixture("httpserver"), "-name", "holder", "-addr", "127.0.0.1:" + std::to_string(port)});
    ASSERT_TRUE(eventually([&] { return can_connect(port); }, 5s));
    GolaunchRun busy(dir, {"check", manifest.string(), "--json"});
    EXPECT_EQ(run_to_exit(busy), 3);
    const auto report = nlohmann::json::parse(busy.output());
    EXPECT_FALSE(report["ok"].get<bool>());
    EXPECT_EQ(report["summary"]["errors"], 1) << busy.output();
    ASSERT_FALSE(report["findings"].empty()) << busy.output();
    EXPECT_EQ(report["findings"][0]["id"], "port-in-use");
    EXPECT_EQ(report["findings"][0]["severity"], "error");
    EXPECT_NE(report["findings"][0]["message"].get<std::string>().find(
                  "pid " + std::to_string(holder.pid())),
              std::string::npos)
        << busy.output();
}

} // namespace
} // namespace golaunch::test
