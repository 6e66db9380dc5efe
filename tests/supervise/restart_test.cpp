// Restart policy end to end: the real golaunch binary, real Go fixtures, loopback ports.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

std::vector<nlohmann::json> events_named(const GolaunchRun& run, const std::string& name,
                                         const std::string& service) {
    std::vector<nlohmann::json> out;
    for (const auto& event : run.events()) {
        if (event.value("event", "") == name && event.value("service", "") == service) {
            out.push_back(event);
        }
    }
    return out;
}

// "service:event" for the events in `names`, in order.
std::vector<std::string> sequence(const GolaunchRun& run, const std::vector<std::string>& names) {
    std::vector<std::string> out;
    for (const auto& event : run.events()) {
        const std::string name = event.value("event", "");
        if (std::find(names.begin(), names.end(), name) != names.end()) {
            out.push_back(event.value("service", "") + ":" + name);
        }
    }
    return out;
}

// Start times (ms since the epoch) the crashloop fixture appended, one line per start.
std::vector<long long> start_times(const std::filesystem::path& file) {
    std::vector<long long> times;
    std::istringstream lines(read_file(file));
    long long pid = 0;
    long long millis = 0;
    while (lines >> pid >> millis) {
        times.push_back(millis);
    }
    return times;
}

// A [services.NAME] table running the fixture `program` with `args` (TOML array items, each
// already quoted) and one port, then `rest` (more keys, one a line).
std::string fixture_service(const std::string& name, const std::string& program,
                            const std::string& args, const std::string& port_name,
                            std::uint16_t port, const std::string& rest = "") {
    return "[services." + name + "]\ncmd = [" + toml_quoted(fixture(program)) + ", " + args +
           "]\nports = { " + port_name + " = " + std::to_string(port) + " }\n" + rest;
}

// "127.0.0.1:PORT" as a TOML string.
std::string quoted_addr(std::uint16_t port) {
    return toml_quoted("127.0.0.1:" + std::to_string(port));
}

// The httpserver fixture as service "web" answering "hello from web".
std::string web_service(std::uint16_t port, const std::string& rest = "") {
    return fixture_service("web", "httpserver", "\"-name\", \"web\"", "http", port, rest);
}

TEST(RestartE2E, CrashLoopBacksOffWithGrowingDelaysGivesUpAndTheSiblingKeepsServing) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto starts = dir.path() / "starts.txt";
    const auto manifest = dir.write(
        "app.toml",
        "version = 1\n" + web_service(ports[0]) +
            fixture_service("crash", "crashloop",
                            "\"-after\", \"50ms\", \"-starts\", " + toml_quoted(starts.string()),
                            "http", ports[1],
                            "max_restarts = 4\n"
                            "backoff = { initial = \"100ms\", max = \"400ms\" }\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    ASSERT_TRUE(run.wait_for_event("ready", "web", 10s)) << run.output();

    // Hammer the sibling during the whole storm: every request must succeed.
    int requests = 0;
    int failures = 0;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (!run.wait_for_event("gave_up", "crash", 0ms) &&
           std::chrono::steady_clock::now() < deadline) {
        ++requests;
        if (http_get(ports[0]).find("hello from web") == std::string::npos) {
            ++failures;
        }
        ::usleep(10'000);
    }
    const auto gave_up = run.wait_for_event("gave_up", "crash", 0ms);
    ASSERT_TRUE(gave_up) << run.output();
    EXPECT_EQ((*gave_up)["restarts"], 4);
    EXPECT_EQ((*gave_up)["exit_code"], 1);
    EXPECT_GE(requests, 20);
    EXPECT_EQ(failures, 0) << "the sibling must keep serving while crash restarts";

    const auto restarts = events_named(run, "restarting", "crash");
    ASSERT_EQ(restarts.size(), 4u) << run.output();
    const long long base[] = {100, 200, 400, 400}; // min(max, initial * 2^n)
    for (std::size_t i = 0; i < restarts.size(); ++i) {
        const auto delay = restarts[i]["delay_ms"].get<long long>();
        EXPECT_EQ(restarts[i]["attempt"], static_cast<int>(i) + 1);
        EXPECT_EQ(restarts[i]["base_delay_ms"], base[i]);
        EXPECT_GE(delay, std::llround(base[i] * 0.8)) << i;
        EXPECT_LE(delay, std::min(400LL, std::llround(base[i] * 1.2))) << i;
        EXPECT_NE(restarts[i]["reason"].get<std::string>().find("exited with status 1"),
                  std::string::npos);
    }
    EXPECT_GT(restarts[2]["delay_ms"].get<long long>(), restarts[0]["delay_ms"].get<long long>())
        << "the delays grow";

    // The real gaps between starts: at least the announced delay (plus the 50 ms run).
    const auto times = start_times(starts);
    ASSERT_EQ(times.size(), 5u) << read_file(starts);
    for (std::size_t i = 1; i < times.size(); ++i) {
        EXPECT_GE(times[i] - times[i - 1], restarts[i - 1]["delay_ms"].get<long long>() + 40)
            << "gap before start " << i;
    }

    // Gave up, but golaunch and the sibling go on.
    ::usleep(200'000);
    EXPECT_FALSE(run.wait_for_exit(0ms).has_value()) << run.output();
    EXPECT_NE(http_get(ports[0]).find("hello from web"), std::string::npos);
    EXPECT_EQ(start_times(starts).size(), 5u) << "no restart after giving up";
    run.signal(SIGINT);
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 130) << run.output();
}

TEST(RestartE2E, AlwaysRestartsACleanExitThenGivesUpAndExits1) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto starts = dir.path() / "starts.txt";
    const auto manifest = dir.write(
        "app.toml",
        "version = 1\n" + fixture_service("job", "crashloop",
                                          "\"-code\", \"0\", \"-after\", \"100ms\", \"-addr\", " +
                                              quoted_addr(port) + ", \"-starts\", " +
                                              toml_quoted(starts.string()),
                                          "http", port,
                                          "restart = \"always\"\nmax_restarts = 2\n"
                                          "backoff = { initial = \"50ms\", max = \"100ms\" }\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1) << run.output();
    const auto restarts = events_named(run, "restarting", "job");
    ASSERT_EQ(restarts.size(), 2u) << run.output();
    EXPECT_EQ(restarts[0]["reason"], "exited with status 0");
    EXPECT_EQ(events_named(run, "ready", "job").size(), 3u);
    EXPECT_EQ(start_times(starts).size(), 3u);
    EXPECT_TRUE(run.wait_for_event("gave_up", "job", 0ms));
}

TEST(RestartE2E, OnFailureLeavesACleanExitStoppedAndExits0WhenNothingIsLeft) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml",
        "version = 1\n" + fixture_service("job", "crashloop",
                                          "\"-code\", \"0\", \"-after\", \"100ms\", \"-addr\", " +
                                              quoted_addr(port),
                                          "http", port, "restart = \"on-failure\"\n"));
    GolaunchRun run(dir, {"run", manifest.string()});
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    EXPECT_NE(run.output().find("not restarted (restart = \"on-failure\")"), std::string::npos)
        << run.output();
    EXPECT_NE(run.output().find("stopping: every service has finished"), std::string::npos)
        << run.output();
    EXPECT_EQ(run.output().find("restarting"), std::string::npos) << run.output();
}

TEST(RestartE2E, DependentWaitsUntilItsRestartedDependencyIsReadyAgain) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto marker = dir.path() / "crashed-once";
    // db fails its first start before listening, and serves from its second start on.
    const std::string db_shell = "if [ -e " + marker.string() + " ]; then exec " +
                                 fixture("httpserver") + " -name db; else touch " +
                                 marker.string() + "; echo db failing once; exit 7; fi";
    const auto manifest =
        dir.write("app.toml", "version = 1\n" + web_service(ports[0], "depends_on = [\"db\"]\n") +
                                  "[services.db]\nshell = " + toml_quoted(db_shell) +
                                  "\nports = { pg = " + std::to_string(ports[1]) +
                                  " }\nbackoff = { initial = \"300ms\", max = \"1s\" }\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--stop-when-ready"});
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    EXPECT_EQ(sequence(run, {"started", "exited", "restarting", "waiting", "ready"}),
              (std::vector<std::string>{"db:started", "db:exited", "db:restarting", "web:waiting",
                                        "db:started", "db:ready", "web:started", "web:ready",
                                        "web:exited", "db:exited"}))
        << "dependents stop first at the end";
    const auto waiting = run.wait_for_event("waiting", "web", 0ms);
    ASSERT_TRUE(waiting);
    EXPECT_EQ((*waiting)["for"], "db");
    const auto restarting = run.wait_for_event("restarting", "db", 0ms);
    ASSERT_TRUE(restarting);
    EXPECT_EQ((*restarting)["reason"], "exited with status 7 before it was ready");
}

TEST(RestartE2E, RunningDependentIsNotRestartedWhenItsDependencyRestartsOrGivesUp) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto manifest = dir.write(
        "app.toml",
        "version = 1\n" + web_service(ports[0], "depends_on = [\"db\"]\n") +
            fixture_service("db", "httpserver", "\"-name\", \"db\", \"-exit-after\", \"700ms\"",
                            "pg", ports[1],
                            "max_restarts = 1\n"
                            "backoff = { initial = \"100ms\", max = \"1s\" }\n"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    ASSERT_TRUE(run.wait_for_event("ready", "web", 10s)) << run.output();
    const auto gave_up = run.wait_for_event("gave_up", "db", 15s);
    ASSERT_TRUE(gave_up) << run.output();
    EXPECT_EQ(events_named(run, "ready", "db").size(), 2u) << "db ran twice";
    EXPECT_EQ(events_named(run, "started", "web").size(), 1u) << "web was never restarted";
    EXPECT_TRUE(events_named(run, "exited", "web").empty()) << run.output();
    EXPECT_NE(http_get(ports[0]).find("hello from web"), std::string::npos);
    EXPECT_FALSE(run.wait_for_exit(0ms).has_value()) << "web still runs, so golaunch does";
    run.signal(SIGTERM);
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 128 + SIGTERM) << run.output();
}

} // namespace
} // namespace golaunch::test
