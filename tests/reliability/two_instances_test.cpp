// Two golaunch instances on one manifest: the second refuses at once, naming the first, with
// exit code 5 and without touching anything (no preflight, no state-file write, no port
// moved); the first runs on undisturbed. After kill -9 of the first, a new instance starts and
// says it recovered the stale lock.
#include "reliability/reliability_manifest.hpp"
#include "support/golaunch_run.hpp"
#include "support/process_set.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

std::string three_services(const std::vector<std::uint16_t>& ports) {
    return "version = 1\nname = \"locked\"\n[defaults]\nstop_grace = \"2s\"\n" +
           http_service("web", ports[0]) + http_service("api", ports[1]) +
           http_service("admin", ports[2]);
}

// The names and contents of the files under `dir`/.golaunch (what a refused run must not
// change).
std::string golaunch_dir_snapshot(const TempDir& dir) {
    std::string out;
    for (const auto& name : files_in(dir.path() / ".golaunch")) {
        const auto path = dir.path() / ".golaunch" / name;
        out += name + ":\n" +
               (std::filesystem::is_regular_file(path) ? read_file(path) : std::string("<dir>")) +
               "\n";
    }
    return out;
}

bool all_serving(const std::vector<std::uint16_t>& ports) {
    for (const auto port : ports) {
        if (http_get(port).find("hello from") == std::string::npos) {
            return false;
        }
    }
    return true;
}

TEST(Reliability, SecondInstanceRefusesAndAStaleLockFromKillNineIsRecovered) {
    TempDir dir;
    const auto ports = pick_free_ports(3);
    const auto manifest = dir.write("app.toml", three_services(ports));
    GolaunchRun first(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(first.wait_for_event("all_ready", "", 15s)) << first.output();
    // Each "listening on" line comes through its service's pipe, which golaunch may read after
    // it reported the listen: all three are in before the output is taken as the reference.
    for (const char* name : {"web", "api", "admin"}) {
        ASSERT_TRUE(first.wait_for_output(std::string(name) + " listening on", 30s))
            << first.output();
    }
    ProcessSet first_processes;
    first_processes.add_tree(first.pid());
    const auto before = golaunch_dir_snapshot(dir);
    ASSERT_NE(before.find("lock:\n{"), std::string::npos) << before;
    const auto first_output = first.output();

    for (const bool json : {false, true}) {
        SCOPED_TRACE(json ? "--json" : "text");
        std::vector<std::string> args{"run", manifest.string(), "--no-network"};
        if (json) {
            args.push_back("--json");
        }
        const auto started = std::chrono::steady_clock::now();
        GolaunchRun second(dir, args);
        const auto status = second.wait_for_exit(30s);
        const auto took = std::chrono::steady_clock::now() - started;
        ASSERT_TRUE(status) << second.output();
        EXPECT_EQ(exit_code_of(*status), 5) << second.output();
        // At once: no preflight, no start (checked below), no wait on the first's lock beyond
        // the bounded look for its record (100 ms); the rest is a loaded machine's process start.
        EXPECT_LT(took, 8s) << "the refusal must come at once";
        const auto text = second.output();
        EXPECT_NE(text.find("golaunch: error: another golaunch is already running in " +
                            dir.path().string() + ": golaunch pid " + std::to_string(first.pid()) +
                            " (since "),
                  std::string::npos)
            << text;
        EXPECT_NE(text.find("`" + golaunch_binary() + " run " + manifest.string()),
                  std::string::npos)
            << "the message names the running instance's command: " << text;
        EXPECT_NE(
            text.find("hint: `golaunch ps`, `golaunch logs -f` and `golaunch restart SERVICE` "
                      "work on it; or stop it first (Ctrl-C in its terminal, or `kill " +
                      std::to_string(first.pid()) + "`)"),
            std::string::npos)
            << text;
        EXPECT_EQ(text.find("preflight"), std::string::npos) << "no preflight ran: " << text;
        EXPECT_EQ(text.find("started"), std::string::npos) << text;
        EXPECT_EQ(golaunch_dir_snapshot(dir), before) << "the refused run changed .golaunch/";
    }
    // `check` does not need the lock (it says the project runs, as a warning: no refusal,
    // no error); `fix` (which could move ports) refuses like run.
    {
        GolaunchRun check(dir, {"check", manifest.string(), "--no-network"});
        const auto checked = check.wait_for_exit(30s);
        ASSERT_TRUE(checked);
        EXPECT_EQ(exit_code_of(*checked), 0) << check.output();
        EXPECT_EQ(check.output().find("another golaunch is already running"), std::string::npos)
            << check.output();
        EXPECT_NE(check.output().find("[project-running]"), std::string::npos) << check.output();
        GolaunchRun fix(dir, {"fix", manifest.string(), "--no-network"});
        const auto status = fix.wait_for_exit(10s);
        ASSERT_TRUE(status);
        EXPECT_EQ(exit_code_of(*status), 5) << fix.output();
        EXPECT_EQ(golaunch_dir_snapshot(dir), before);
    }

    // The first instance is undisturbed: same processes, still serving, nothing new logged.
    EXPECT_TRUE(first_processes.still_running().size() == first_processes.size())
        << "lost: " << first_processes.size() - first_processes.still_running().size();
    EXPECT_TRUE(all_serving(ports));
    EXPECT_FALSE(first.wait_for_exit(0ms).has_value());
    EXPECT_EQ(first.output(), first_output);

    // kill -9: the OS lock dies with the process; the record it left is recovered.
    const pid_t first_pid = first.pid();
    first.signal(SIGKILL);
    ASSERT_TRUE(first.wait_for_exit(5s));
    const auto left = first_processes.wait_all_gone(5s);
    EXPECT_TRUE(left.empty()) << describe(left);
    GolaunchRun third(dir, {"run", manifest.string(), "--no-network"});
    ASSERT_TRUE(third.wait_for_output("all 3 services ready", 15s)) << third.output();
    EXPECT_NE(third.output().find("recovered stale lock of pid " + std::to_string(first_pid) +
                                  " (since "),
              std::string::npos)
        << third.output();
    EXPECT_TRUE(eventually([&] { return all_serving(ports); }, 10s));
    third.signal(SIGINT);
    const auto status = third.wait_for_exit(15s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 130) << third.output();
    EXPECT_EQ(read_file(dir.path() / ".golaunch" / "lock"), "") << "a clean exit clears the record";
}

} // namespace
} // namespace golaunch::test
