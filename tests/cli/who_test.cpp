// `golaunch who` end to end: the real binary against a fixture server this test started.
#include "support/test_support.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <memory>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::eventually;

struct WhoRun {
    int exit_code = -1;
    std::string output;
};

WhoRun run_who(const std::vector<std::string>& args) {
    test::TempDir dir;
    const auto out = dir.path() / "who.out";
    std::vector<std::string> argv{test::golaunch_binary(), "who"};
    argv.insert(argv.end(), args.begin(), args.end());
    ChildProcess who(argv, out.string());
    WhoRun run;
    if (const auto status = who.wait_for(60s); status && WIFEXITED(*status)) {
        run.exit_code = WEXITSTATUS(*status);
    }
    run.output = test::read_file(out);
    return run;
}

using Server = test::FixtureServer;

TEST(Who, JsonNamesTheOwner) {
    Server server({"GOLAUNCH_SERVICE=api", "GOLAUNCH_PID=" + std::to_string(::getpid())});
    ASSERT_GT(server.pid, 0);
    const auto run = run_who({std::to_string(server.port), "--json"});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    const auto json = nlohmann::json::parse(run.output);
    EXPECT_EQ(json.at("port"), server.port);
    ASSERT_EQ(json.at("sockets").size(), 1u) << run.output;
    const auto& socket = json["sockets"][0];
    EXPECT_EQ(socket.at("protocol"), "tcp");
    EXPECT_EQ(socket.at("family"), "ipv4");
    EXPECT_EQ(socket.at("state"), "LISTEN");
    EXPECT_EQ(socket.at("address"), "127.0.0.1");
    EXPECT_EQ(socket.at("port"), server.port);
    EXPECT_GT(socket.at("inode").get<std::uint64_t>(), 0u);
    ASSERT_EQ(socket.at("owners").size(), 1u);
    const auto& owner = socket["owners"][0];
    EXPECT_EQ(owner.at("pid"), server.pid);
    EXPECT_EQ(owner.at("ppid"), ::getpid());
    EXPECT_EQ(owner.at("exe"), std::filesystem::canonical(test::fixture("httpserver")).string());
    EXPECT_EQ(owner.at("cmdline")[0], test::fixture("httpserver"));
    EXPECT_EQ(owner.at("uid"), ::getuid());
    EXPECT_EQ(owner.at("golaunch_service"), "api");
    EXPECT_EQ(owner.at("started_by_golaunch"), false);
    const std::string start = owner.at("start_time");
    EXPECT_EQ(start.size(), 20u) << start; // 2026-11-25T12:03:04Z
    EXPECT_EQ(start.back(), 'Z');
}

TEST(Who, TextShowsOneAlignedLinePerOwner) {
    Server server;
    ASSERT_GT(server.pid, 0);
    const auto run = run_who({std::to_string(server.port)});
    ASSERT_EQ(run.exit_code, 0) << run.output;
    EXPECT_EQ(run.output.rfind("PORT " + std::to_string(server.port) + "\n", 0), 0u) << run.output;
    EXPECT_NE(run.output.find("  tcp  LISTEN  127.0.0.1:" + std::to_string(server.port) + "  pid " +
                              std::to_string(server.pid) + "  "),
              std::string::npos)
        << run.output;
    EXPECT_NE(run.output.find("(not started by golaunch)"), std::string::npos) << run.output;
}

TEST(Who, FreePortExitsOne) {
    const std::string port = std::to_string(test::pick_free_port());
    const auto text = run_who({port});
    EXPECT_EQ(text.exit_code, 1);
    EXPECT_EQ(text.output, "nothing is listening on port " + port + "\n");
    const auto json = run_who({port, "--json"});
    EXPECT_EQ(json.exit_code, 1);
    EXPECT_TRUE(nlohmann::json::parse(json.output).at("sockets").empty()) << json.output;
}

} // namespace
} // namespace golaunch
