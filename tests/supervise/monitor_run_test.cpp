// End to end with the bind monitor on: the real golaunch runs real Go fixtures and reports
// every bind/listen, diagnoses failures at once, and is ready the instant the port listens.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <fstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

std::string binder_manifest(std::uint16_t port, const std::string& args,
                            const std::string& prefix = "") {
    return "version = 1\nname = \"t\"\n[services.svc]\ncmd = [" + prefix +
           toml_quoted(fixture("binder")) + ", " + args +
           "]\nports = { http = " + std::to_string(port) +
           " }\nstartup_timeout = \"20s\"\nrestart = \"no\"\n";
}

std::string quoted_addr(std::uint16_t port) {
    return "\"127.0.0.1:" + std::to_string(port) + "\"";
}

// Whether the run's bind monitor is seccomp notify (else the caller skips: the machine lacks it).
// A run that never says which monitor it has did not get that far: that fails the test.
bool monitor_available(GolaunchRun& run) {
    const auto event = run.wait_for_event("monitor", "", 60s);
    if (!event) {
        ADD_FAILURE() << "golaunch never said which bind monitor it has:\n" << run.output();
        return false;
    }
    return (*event)["kind"] == "notify";
}

std::optional<nlohmann::json> find_event(const std::vector<nlohmann::json>& events,
                                         const std::string& name, const std::string& call,
                                         std::uint16_t port) {
    for (const auto& event : events) {
        if (event.value("event", "") == name && event.value("call", "") == call &&
            event.value("port", 0) == port) {
            return event;
        }
    }
    return std::nullopt;
}

TEST(MonitorRun, ReadyWithinMillisecondsOfTheListenOfASlowStarter) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest =
        dir.write("app.toml",
                  binder_manifest(port, "\"-delay\", \"300ms\", \"-addr\", " + quoted_addr(port)));
    // Under a monitor session readiness is never polled: the ready below can only come from
    // the monitor's report of the listen() itself, which a loaded machine may delay.
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--monitor", "auto"});
    if (!monitor_available(run)) {
        GTEST_SKIP() << "seccomp user notification unavailable: " << run.output();
    }
    const auto ready = run.wait_for_event("ready", "svc", 60s);
    ASSERT_TRUE(ready) << run.output();
    EXPECT_EQ((*ready)["monitor"], "notify");
    EXPECT_GE((*ready)["ready_ms"].get<double>(), 300.0) << "not before the listen";
    // The line printed before listen() comes through the service's stdout pipe, which golaunch
    // may read after it reported the listen (the seccomp thread answers at once): polled.
    double before_listen_us = 0;
    eventually(
        [&] {
            for (const auto& event : run.events()) {
                const auto line = event.value("line", "");
                if (line.rfind("before-listen", 0) == 0) {
                    before_listen_us = std::stod(line.substr(line.rfind(' ') + 1)) / 1000.0;
                }
            }
            return before_listen_us > 0;
        },
        5s);
    ASSERT_GT(before_listen_us, 0) << run.output();
    const double lag_ms = ((*ready)["time_unix_us"].get<double>() - before_listen_us) / 1000.0;
    EXPECT_GE(lag_ms, 0.0);
    // Its figure on a quiet machine (a few ms) is the bench's (tests/bench/monitor_bench.sh);
    // here it is bounded only against a hang.
    EXPECT_LT(lag_ms, 5000.0) << "ready must follow the listen() at once, not a poll later";
    const auto listen = find_event(run.events(), "bind", "listen", port);
    ASSERT_TRUE(listen) << run.output();
    EXPECT_EQ((*listen)["errno"], "OK");
    EXPECT_EQ((*listen)["address"], "127.0.0.1");
    EXPECT_GT((*listen)["pid"].get<int>(), 0);
    run.signal(SIGINT);
    ASSERT_TRUE(run.wait_for_exit(15s));
}

TEST(MonitorRun, DiagnosesEaddrinuseAtOnceNamingTheHolder) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const test::HeldListener holder(ports[1]);
    ASSERT_TRUE(holder.ok());
    // The service listens on its declared port and also on one this test holds.
    const auto manifest = dir.write(
        "app.toml", binder_manifest(ports[0], "\"-addr\", \"127.0.0.1:" + std::to_string(ports[1]) +
                                                  ",127.0.0.1:" + std::to_string(ports[0]) + "\""));
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    if (!monitor_available(run)) {
        GTEST_SKIP() << "seccomp user notification unavailable: " << run.output();
    }
    ASSERT_TRUE(run.wait_for_event("ready", "svc", 15s)) << run.output();
    const auto failed = find_event(run.events(), "bind", "bind", ports[1]);
    ASSERT_TRUE(failed) << run.output();
    EXPECT_EQ((*failed)["errno"], "EADDRINUSE");
    EXPECT_NE(run.output().find("pid " + std::to_string(::getpid())), std::string::npos)
        << "the holder (this test) is named: " << run.output();
    EXPECT_NE(run.output().find("not started by golaunch"), std::string::npos);
    run.signal(SIGINT);
    ASSERT_TRUE(run.wait_for_exit(15s));
}

TEST(MonitorRun, DiagnosesEaddrinuseOnTheV6WildcardNamingTheV4Holder) {
    TempDir dir;
    const auto port = pick_free_port();
    const test::HeldListener holder(port); // 127.0.0.1:P, held by this test
    ASSERT_TRUE(holder.ok());
    // Go's ":P" binds [::]:P, dual-stack: it conflicts with 127.0.0.1:P.
    const auto manifest = dir.write(
        "app.toml",
        binder_manifest(port, "\"-exit-on-error\", \"-addr\", \":" + std::to_string(port) + "\""));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--ignore-preflight"});
    if (!monitor_available(run)) {
        GTEST_SKIP() << "seccomp user notification unavailable: " << run.output();
    }
    ASSERT_TRUE(run.wait_for_exit(20s)) << run.output();
    const auto failed = find_event(run.events(), "bind", "bind", port);
    ASSERT_TRUE(failed) << run.output();
    EXPECT_EQ((*failed)["errno"], "EADDRINUSE");
    EXPECT_EQ((*failed)["address"], "::");
    const std::string facts = (*failed)["diagnosis"].dump();
    EXPECT_NE(facts.find("held on 127.0.0.1:" + std::to_string(port) + " by pid " +
                         std::to_string(::getpid())),
              std::string::npos)
        << run.output();
}

TEST(MonitorRun, DiagnosesEaccesForAServiceRunAsNobodyOnAPrivilegedPort) {
    if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) {
        GTEST_SKIP() << "needs root and setpriv to start the service as nobody";
    }
    const std::uint16_t port = test::free_privileged_port();
    if (port == 0) {
        GTEST_SKIP() << "no free port below 1024";
    }
    TempDir dir;
    const auto manifest = dir.write(
        "app.toml", binder_manifest(port, "\"-exit-on-error\", \"-addr\", " + quoted_addr(port),
                                    "\"/usr/bin/setpriv\", \"--reuid=65534\", \"--regid=65534\", "
                                    "\"--clear-groups\", "));
    GolaunchRun run(dir, {"run", manifest.string()});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1) << run.output();
    if (run.output().find("falling back") != std::string::npos) {
        GTEST_SKIP() << "monitor unavailable: " << run.output();
    }
    EXPECT_NE(run.output().find("EACCES"), std::string::npos) << run.output();
    EXPECT_NE(run.output().find("ip_unprivileged_port_start"), std::string::npos) << run.output();
}

TEST(MonitorRun, SeesAGoRunStyleGrandchildAndAnswersALateBind) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const std::string command =
        "'" + fixture("binder") + "' -addr 127.0.0.1:" + std::to_string(ports[0]) +
        " -later 1s -later-addr 127.0.0.1:" + std::to_string(ports[1]) + "; true";
    const auto manifest = dir.write(
        "app.toml", "version = 1\nname = \"t\"\n[services.svc]\nshell = " + toml_quoted(command) +
                        "\nports = { http = " + std::to_string(ports[0]) + " }\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    if (!monitor_available(run)) {
        GTEST_SKIP() << "seccomp user notification unavailable: " << run.output();
    }
    const auto ready = run.wait_for_event("ready", "svc", 15s);
    ASSERT_TRUE(ready) << run.output();
    EXPECT_NE((*ready)["listening"][0], nullptr);
    ASSERT_TRUE(run.wait_for_output("listen 127.0.0.1:" + std::to_string(ports[1]) + " ok", 10s))
        << "the late bind, long after ready, is answered: " << run.output();
    const auto late = find_event(run.events(), "bind", "listen", ports[1]);
    ASSERT_TRUE(late);
    EXPECT_NE((*late)["pid"], (*ready)["pid"]) << "the grandchild, not the shell";
    EXPECT_EQ(run.output().find("function not implemented"), std::string::npos);
    EXPECT_NE(run.output().find("does not declare"), std::string::npos)
        << "the late listen is on a port the manifest does not declare: " << run.output();
    // The warning is an event with a stable id and its fields, not only text.
    const auto events = run.events();
    const auto warning = std::find_if(events.begin(), events.end(), [](const auto& e) {
        return e.value("event", "") == "message" && e.value("id", "") == "undeclared-port";
    });
    ASSERT_NE(warning, events.end()) << run.output();
    EXPECT_EQ((*warning)["level"], "warning");
    EXPECT_EQ((*warning)["service"], "svc");
    EXPECT_EQ((*warning)["port"], ports[1]);
    EXPECT_EQ((*warning)["address"], "127.0.0.1");
    run.signal(SIGINT);
    ASSERT_TRUE(run.wait_for_exit(15s));
}

TEST(MonitorRun, SigtermStillReachesTheServiceGracefully) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest =
        dir.write("app.toml", "version = 1\nname = \"t\"\n" + http_service("web", port));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--monitor", "auto"});
    ASSERT_TRUE(run.wait_for_event("ready", "web", 15s)) << run.output();
    EXPECT_NE(http_get(port).find("hello from web"), std::string::npos);
    run.signal(SIGTERM);
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 143);
    EXPECT_NE(run.output().find("shutting down gracefully"), std::string::npos) << run.output();
}

TEST(MonitorRun, PollBackendIsChosenWhenAskedAndStillDetectsReadiness) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest =
        dir.write("app.toml", binder_manifest(port, "\"-addr\", " + quoted_addr(port)));
    GolaunchRun run(dir,
                    {"run", manifest.string(), "--json", "--monitor", "poll", "--stop-when-ready"});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    const auto ready = run.wait_for_event("ready", "svc", 1s);
    ASSERT_TRUE(ready);
    EXPECT_EQ((*ready)["monitor"], "poll");
    EXPECT_FALSE(find_event(run.events(), "bind", "listen", port)) << "poll sees no calls";
}

} // namespace
} // namespace golaunch::test
