// End to end: the real golaunch binary runs the real Go fixture on loopback ports.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include "platform/port_owners.hpp"
#include "platform/socket_table.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <fstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

// A manifest with one fixture service `web` on `port`, plus `extra` TOML lines in its table.
std::string web_manifest(std::uint16_t port, const std::string& extra_args = "",
                         const std::string& extra = "") {
    return "version = 1\nname = \"t\"\n[services.web]\ncmd = [" +
           toml_quoted(fixture("httpserver")) + ", \"-name\", \"web\"" + extra_args +
           "]\nports = { http = " + std::to_string(port) + " }\n" + extra;
}

// Who still listens on `port`, from the socket table (a connect() could be fooled by a TCP
// self-connect on an ephemeral port); "" when nobody.
std::string listeners_on(std::uint16_t port) {
    std::string out;
    for (const auto& user : find_port_users(system_socket_table(), port, true)) {
        out += user.socket.local_address + ":" + std::to_string(port);
        for (const auto& owner : user.owners) {
            out += " " + describe_owner(owner);
        }
        out += "\n";
    }
    return out;
}

pid_t read_pid(const std::filesystem::path& file) {
    pid_t pid = 0;
    eventually([&] { return std::filesystem::exists(file); }, 5s);
    std::ifstream(file) >> pid;
    return pid;
}

TEST(RunE2E, GoServerBecomesReadyAnswersHttpAndStopsGracefullyOnSigterm) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto pidfile = dir.path() / "web.pid";
    const auto manifest = dir.write(
        "app.toml", web_manifest(port, ", \"-pidfile\", " + toml_quoted(pidfile.string())));
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});

    const auto ready = run.wait_for_event("ready", "web", 10s);
    ASSERT_TRUE(ready) << run.output();
    EXPECT_EQ((*ready)["listening"][0], "127.0.0.1:" + std::to_string(port));
    EXPECT_LT((*ready)["ready_ms"].get<double>(), 5000.0);
    EXPECT_NE(http_get(port).find("hello from web"), std::string::npos);

    const pid_t service_pid = read_pid(pidfile);
    ASSERT_GT(service_pid, 0);
    EXPECT_EQ((*ready)["pid"].get<int>(), service_pid)
        << "the service must be the Go binary itself, not a wrapper";

    run.signal(SIGTERM);
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 128 + SIGTERM);
    EXPECT_FALSE(pid_running(service_pid));
    EXPECT_NE(run.output().find("web got terminated, shutting down gracefully"), std::string::npos)
        << run.output();
    EXPECT_TRUE(run.wait_for_event("stopped", "", 1s));
}

TEST(RunE2E, CtrlCStopsEverythingAndExits130) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write("app.toml", web_manifest(port));
    GolaunchRun run(dir, {"run", manifest.string()});
    ASSERT_TRUE(run.wait_for_output("ready in", 10s)) << run.output();
    run.signal(SIGINT);
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 130);
    EXPECT_EQ(listeners_on(port), "");
    // Text mode: prefixed, line-buffered service output.
    EXPECT_NE(run.output().find("web      | web listening on 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << run.output();
}

TEST(RunE2E, KillNineOfGolaunchLeavesNoServiceOrGrandchildBehind) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto pidfile = dir.path() / "web.pid";
    const auto sleeper_pidfile = dir.path() / "sleeper.pid";
    const auto manifest = dir.write(
        "app.toml",
        web_manifest(port, ", \"-pidfile\", " + toml_quoted(pidfile.string()) +
                               ", \"-sleeper-pidfile\", " + toml_quoted(sleeper_pidfile.string())));
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    ASSERT_TRUE(run.wait_for_event("ready", "web", 10s)) << run.output();
    const pid_t service_pid = read_pid(pidfile);
    const pid_t sleeper_pid = read_pid(sleeper_pidfile);
    ASSERT_TRUE(pid_running(service_pid));
    ASSERT_TRUE(pid_running(sleeper_pid));

    run.signal(SIGKILL);
    ASSERT_TRUE(run.wait_for_exit(5s));
    EXPECT_TRUE(eventually([&] { return !pid_running(service_pid); }, 5s))
        << "service pid " << service_pid;
    EXPECT_TRUE(eventually([&] { return !pid_running(sleeper_pid); }, 5s))
        << "grandchild pid " << sleeper_pid;
    // A Go process's leader thread turns zombie while its other threads are still exiting,
    // and the listener closes with the last of them: wait for that, bounded.
    EXPECT_TRUE(eventually([&] { return listeners_on(port).empty(); }, 5s)) << listeners_on(port);
}

TEST(RunE2E, DependentStartsOnlyAfterItsDependencyIsReady) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto db_port = ports[0];
    const auto web_port = ports[1];
    const std::string manifest_text = "version = 1\n"
                                      "[services.web]\ncmd = [" +
                                      toml_quoted(fixture("httpserver")) +
                                      ", \"-name\", \"web\"]\n"
                                      "ports = { http = " +
                                      std::to_string(web_port) +
                                      " }\ndepends_on = [\"db\"]\n"
                                      "[services.db]\ncmd = [" +
                                      toml_quoted(fixture("httpserver")) +
                                      ", \"-name\", \"db\", \"-delay\", \"300ms\"]\n"
                                      "ports = { main = " +
                                      std::to_string(db_port) + " }\n";
    const auto manifest = dir.write("app.toml", manifest_text);
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--stop-when-ready"});
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();

    std::vector<std::string> sequence;
    for (const auto& event : run.events()) {
        const std::string name = event.value("event", "");
        if (name == "started" || name == "ready") {
            sequence.push_back(event.value("service", "") + ":" + name);
        }
    }
    EXPECT_EQ(sequence,
              (std::vector<std::string>{"db:started", "db:ready", "web:started", "web:ready"}));
    const auto db_ready = run.wait_for_event("ready", "db", 0ms);
    ASSERT_TRUE(db_ready);
    EXPECT_GE((*db_ready)["ready_ms"].get<double>(), 300.0)
        << "db listens only after its 300 ms delay";
}

TEST(RunE2E, StartupTimeoutExits4AndSaysWhichPortNeverListened) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest =
        dir.write("app.toml", web_manifest(port, ", \"-delay\", \"30s\"",
                                           "startup_timeout = \"400ms\"\nstop_grace = \"500ms\"\n"
                                           "restart = \"no\"\n"));
    GolaunchRun run(dir, {"run", manifest.string()});
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 4);
    EXPECT_NE(run.output().find("not ready after 400ms (startup_timeout): port " +
                                std::to_string(port) + " is not listening"),
              std::string::npos)
        << run.output();
}

TEST(RunE2E, ServiceCrashingBeforeReadyExits1WithItsStatus) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml", web_manifest(port, ", \"-delay\", \"10s\", \"-exit-after\", \"100ms\"",
                                 "restart = \"no\"\n"));
    GolaunchRun run(dir, {"run", manifest.string()});
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1);
    EXPECT_NE(run.output().find("exited with status 3 before it was ready"), std::string::npos)
        << run.output();
    EXPECT_NE(run.output().find("exiting on purpose with status 3"), std::string::npos)
        << run.output();
}

TEST(RunE2E, ServiceIgnoringSigtermIsKilledAfterStopGrace) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto pidfile = dir.path() / "web.pid";
    const auto manifest = dir.write(
        "app.toml",
        web_manifest(port, ", \"-ignore-term\", \"-pidfile\", " + toml_quoted(pidfile.string()),
                     "stop_grace = \"300ms\"\n"));
    GolaunchRun run(dir, {"run", manifest.string()});
    ASSERT_TRUE(run.wait_for_output("ready in", 10s)) << run.output();
    const pid_t service_pid = read_pid(pidfile);
    const auto before = std::chrono::steady_clock::now();
    run.signal(SIGTERM);
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status) << run.output();
    const auto took = std::chrono::steady_clock::now() - before;
    EXPECT_GE(took, 300ms);
    EXPECT_LT(took, 5s);
    EXPECT_FALSE(pid_running(service_pid));
    EXPECT_NE(run.output().find("after SIGTERM (stop_grace): sending SIGKILL"), std::string::npos)
        << run.output();
}

TEST(RunE2E, PortHeldByAnotherProcessIsRefusedNamingItsPid) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto port = holder.port;
    const auto manifest = dir.write("app.toml", web_manifest(port));
    GolaunchRun run(dir, {"run", manifest.string()});
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 3);
    EXPECT_NE(run.output().find("pid " + std::to_string(holder.pid)), std::string::npos)
        << run.output();
    EXPECT_TRUE(holder.child->running());
    EXPECT_NE(http_get(port).find("hello from holder"), std::string::npos)
        << "the holder must be left alone";
}

TEST(RunE2E, NextFreeMovesABusyPortAndInjectsItThroughInterpolation) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto port = holder.port;
    const std::string manifest_text =
        "version = 1\n[defaults]\non_port_conflict = \"next-free\"\n"
        "[services.web]\ncmd = [" +
        toml_quoted(fixture("httpserver")) +
        ", \"-name\", \"web\"]\n"
        "args = [\"-addr\", \"127.0.0.1:${ports.web.http}\"]\nports = { http = " +
        std::to_string(port) + " }\n";
    const auto manifest = dir.write("app.toml", manifest_text);
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    const auto ready = run.wait_for_event("ready", "web", 10s);
    ASSERT_TRUE(ready) << run.output();
    const std::string listening = (*ready)["listening"][0];
    const auto moved_port =
        static_cast<std::uint16_t>(std::stoi(listening.substr(listening.rfind(':') + 1)));
    EXPECT_NE(moved_port, port);
    EXPECT_NE(http_get(moved_port).find("hello from web"), std::string::npos);
    EXPECT_NE(http_get(port).find("hello from holder"), std::string::npos);
    const auto moved = run.wait_for_event("preflight", "", 0ms);
    ASSERT_TRUE(moved);
    EXPECT_EQ((*moved)["id"], "port-moved");
    run.signal(SIGINT);
    ASSERT_TRUE(run.wait_for_exit(10s));
}

TEST(RunE2E, GoPackageIsBuiltToAStablePathAndRunDirectly) {
    TempDir dir;
    const auto port = pick_free_port();
    dir.write("go.mod", "module example.com/t\n\ngo 1.19\n");
    dir.write("cmd/hello/main.go",
              read_file(std::string(GOLAUNCH_SOURCE_DIR) + "/tests/fixtures/httpserver.go"));
    const auto manifest =
        dir.write("app.toml", "version = 1\n[services.hello]\ngo = \"./cmd/hello\"\n"
                              "ports = { http = " +
                                  std::to_string(port) + " }\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--stop-when-ready"});
    const auto status = run.wait_for_exit(180s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    const auto built = run.wait_for_event("built", "hello", 0ms);
    ASSERT_TRUE(built) << run.output();
    EXPECT_GT((*built)["build_ms"].get<long long>(), 0);
    const auto started = run.wait_for_event("started", "hello", 0ms);
    ASSERT_TRUE(started);
    EXPECT_EQ((*started)["command"][0], (dir.path() / ".golaunch/bin/hello").string());
    EXPECT_TRUE(std::filesystem::exists(dir.path() / ".golaunch/bin/hello"));
}

// In the run's output, the log event of `service` whose line is `line` comes before the first
// event for which `is_report` holds, and both are there.
template <typename Report>
void expect_logged_before(const GolaunchRun& run, const std::string& service,
                          const std::string& line, Report is_report) {
    long logged = -1;
    long reported = -1;
    const auto events = run.events();
    for (std::size_t i = 0; i < events.size(); ++i) {
        const auto& event = events[i];
        if (logged < 0 && event.value("event", "") == "log" &&
            event.value("service", "") == service && event.value("line", "") == line) {
            logged = static_cast<long>(i);
        }
        if (reported < 0 && is_report(event)) {
            reported = static_cast<long>(i);
        }
    }
    ASSERT_GE(logged, 0) << "not logged: " << line << "\n" << run.output().substr(0, 2000);
    ASSERT_GE(reported, 0) << "not reported";
    EXPECT_LT(logged, reported) << "event " << reported << " is the report; the line is event "
                                << logged;
}

// A crash's last lines (a panic's stack) are printed before the exit that reports it: the exit is
// handled behind the read of what the pipe still held. 30,000 lines (~170 kB, more than a pipe
// holds) end just before the exit.
TEST(RunE2E, AnExitIsReportedAfterTheLinesPrintedBeforeIt) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n[services.crash]\n"
                                                "shell = \"seq 1 30000; exit 3\"\n"
                                                "restart = \"no\"\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    const auto status = run.wait_for_exit(60s);
    ASSERT_TRUE(status) << run.output();
    expect_logged_before(run, "crash", "30000", [](const auto& event) {
        return event.value("event", "") == "exited" && event.value("service", "") == "crash";
    });
}

// The compiler's errors come before "go build ... failed": 1,500 of them (-gcflags=-e lifts
// the compiler's limit of 10), about 90 kB on stderr.
TEST(RunE2E, AFailedBuildIsReportedAfterTheCompilersLines) {
    TempDir dir;
    dir.write("go.mod", "module example.com/t\n\ngo 1.19\n");
    std::string source = "package main\n\nfunc main() {\n";
    for (int i = 0; i < 1500; ++i) {
        source += "\t_ = undefinedName" + std::to_string(i) + "\n";
    }
    dir.write("cmd/broken/main.go", source + "}\n");
    const auto manifest = dir.write("app.toml", "version = 1\n[services.broken]\n"
                                                "go = \"./cmd/broken\"\n"
                                                "build_flags = [\"-gcflags=-e\"]\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    const auto status = run.wait_for_exit(180s);
    ASSERT_TRUE(status) << run.output();
    expect_logged_before(
        run, "broken", "cmd/broken/main.go:1503:6: undefined: undefinedName1499",
        [](const auto& event) {
            return event.value("service", "") == "broken" &&
                   event.value("message", "").find("go build ./cmd/broken failed") !=
                       std::string::npos;
        });
}

} // namespace
} // namespace golaunch::test

namespace golaunch::test {
namespace {

TEST(RunE2E, BundledShopExampleBuildsStartsInOrderAndServes) {
    TempDir dir;
    std::filesystem::copy(std::string(GOLAUNCH_SOURCE_DIR) + "/examples/shop", dir.path() / "shop",
                          std::filesystem::copy_options::recursive);
    std::filesystem::remove_all(dir.path() / "shop" / ".golaunch");
    GolaunchRun run(dir, {"run", (dir.path() / "shop" / "golaunch.toml").string(), "--json"});
    const auto api_ready = run.wait_for_event("ready", "api", 180s);
    ASSERT_TRUE(api_ready) << run.output();
    const auto catalog_ready = run.wait_for_event("ready", "catalog", 0ms);
    ASSERT_TRUE(catalog_ready);
    const std::string listening = (*api_ready)["listening"][0];
    const auto api_port =
        static_cast<std::uint16_t>(std::stoi(listening.substr(listening.rfind(':') + 1)));
    EXPECT_EQ(http_get(api_port), "shop api: 3 items in the catalog, 46.40 in total\n");
    run.signal(SIGINT);
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 130) << run.output();
}

} // namespace
} // namespace golaunch::test
