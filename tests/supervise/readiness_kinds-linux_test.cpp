// Ready means serving: the readiness kinds end to end, with real servers. A server that listens
// at once but answers 503 for a while is ready after its first 200, never before; a log line, a
// command that exits 0, and a one-shot's exit 0 are readiness too; dependency conditions
// ("started", "ready", "completed") decide when a dependent starts.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <string>
#include <thread>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

// The microsecond time the fixture printed after `marker` ("first 200 at 1796..."), from its
// log events; 0 when it did not print it within `wait`. The line comes through the service's
// stdout pipe, which golaunch may read after it has already reported the event the line is
// compared with (a notify datagram, a probe answer), so it is waited for, not read once.
std::int64_t printed_time(const GolaunchRun& run, const std::string& marker,
                          std::chrono::milliseconds wait = std::chrono::seconds(5)) {
    std::int64_t found = 0;
    eventually(
        [&] {
            for (const auto& event : run.events()) {
                if (event.value("event", "") != "log") {
                    continue;
                }
                const std::string line = event.value("line", "");
                const auto at = line.find(marker + " at ");
                if (at != std::string::npos) {
                    found = std::stoll(line.substr(at + marker.size() + 4));
                    return true;
                }
            }
            return false;
        },
        wait);
    return found;
}

// How many `name` events `service` has had so far.
int count_events(const GolaunchRun& run, const std::string& name, const std::string& service) {
    int count = 0;
    for (const auto& event : run.events()) {
        count += event.value("event", "") == name && event.value("service", "") == service;
    }
    return count;
}

// The event's time in microseconds: its time_unix_us, else its "time" (ISO 8601, UTC, ms).
std::int64_t event_time(const nlohmann::json& event) {
    if (event.contains("time_unix_us")) {
        return event["time_unix_us"].get<std::int64_t>();
    }
    const std::string iso = event.value("time", "");
    std::tm parts{};
    int millis = 0;
    if (std::sscanf(iso.c_str(), "%d-%d-%dT%d:%d:%d.%dZ", &parts.tm_year, &parts.tm_mon,
                    &parts.tm_mday, &parts.tm_hour, &parts.tm_min, &parts.tm_sec, &millis) != 7) {
        return 0;
    }
    parts.tm_year -= 1900;
    parts.tm_mon -= 1;
    return static_cast<std::int64_t>(::timegm(&parts)) * 1'000'000 + millis * 1'000;
}

std::string health_service(std::uint16_t port, const std::string& ready,
                           const std::string& unhealthy_for = "400ms") {
    return "[services.api]\ncmd = [" + toml_quoted(fixture("healthserver")) +
           ", \"-addr\", \"127.0.0.1:${port}\", \"-unhealthy-for\", \"" + unhealthy_for +
           "\", \"-announce\", \"Web Server is available\"]\nports = { http = " +
           std::to_string(port) + " }\nready = " + ready + "\n";
}

const std::string k_header = "version = 1\nname = \"ready\"\n[defaults]\nstop_grace = \"2s\"\n";

TEST(ReadinessKinds, HttpProbeIsReadyAfterTheFirst200NeverBefore) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml",
        k_header + health_service(port, "{ http = \"http://127.0.0.1:${port}/health\" }"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network", "--stop-when-ready"});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    const auto ready = run.wait_for_event("ready", "api", 0ms);
    ASSERT_TRUE(ready) << run.output();
    const auto first_200 = printed_time(run, "first 200");
    const auto listening = printed_time(run, "listening on 127.0.0.1:" + std::to_string(port));
    ASSERT_GT(first_200, 0) << run.output();
    EXPECT_GE(event_time(*ready), first_200) << "ready before the server served: " << run.output();
    EXPECT_GE(first_200 - listening, 390'000) << "it answered 503 for 400 ms first";
    // Ready comes from that answer: the fixture prints "first 200" while it answers golaunch's
    // probe, so what lies between is golaunch's own handling of it, which a loaded machine can
    // stretch. The retries' 500 ms cap is ProbeRunner.RetriesDoubleFrom10msAndAreCappedAt500ms.
    EXPECT_LT(event_time(*ready) - first_200, 5'000'000) << run.output();
}

TEST(ReadinessKinds, HttpStatusAndBodyMustMatch) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml",
        k_header + health_service(port,
                                  "{ http = \"http://127.0.0.1:${port}/health\", status = [200], "
                                  "body = \"^never$\" }\nstartup_timeout = \"4s\"\n"
                                  "restart = \"no\"",
                                  "1s"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const auto status = run.wait_for_exit(60s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 4) << "never ready: the body never matches: " << run.output();
    EXPECT_FALSE(run.wait_for_event("ready", "api", 0ms)) << run.output();
    const auto timeout = run.wait_for_event("timeout", "api", 0ms);
    ASSERT_TRUE(timeout) << run.output();
    const std::string diagnosis = (*timeout)["diagnosis"].dump();
    EXPECT_NE(diagnosis.find("ports listening since"), std::string::npos) << diagnosis;
    EXPECT_NE(diagnosis.find("GET /health: "), std::string::npos) << diagnosis;
    EXPECT_NE(diagnosis.find("503 x"), std::string::npos) << diagnosis;
    EXPECT_NE(diagnosis.find("200 without the expected body x"), std::string::npos) << diagnosis;
}

TEST(ReadinessKinds, LogLineIsReadyWhenPrintedNotWhenListening) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml", k_header + health_service(port, "{ log = \"Web Server is available\" }"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network", "--stop-when-ready"});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    const auto ready = run.wait_for_event("ready", "api", 0ms);
    ASSERT_TRUE(ready) << run.output();
    const auto announced = printed_time(run, "Web Server is available");
    ASSERT_GT(announced, 0) << run.output();
    EXPECT_GE(event_time(*ready), announced) << run.output();
}

TEST(ReadinessKinds, ExecProbeIsReadyOnceTheCommandExitsZero) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto flag = dir.path() / "migrated";
    const auto manifest = dir.write(
        "app.toml", k_header + health_service(port,
                                              "{ exec = [\"/bin/sh\", \"-c\", " +
                                                  toml_quoted("test -e '" + flag.string() + "'") +
                                                  "], timeout = \"500ms\" }",
                                              "0s"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(run.wait_for_event("started", "api", 20s)) << run.output();
    std::this_thread::sleep_for(400ms);
    EXPECT_FALSE(run.wait_for_event("ready", "api", 0ms)) << "the command still fails";
    std::ofstream(flag).put('\n');
    EXPECT_TRUE(run.wait_for_event("ready", "api", 5s)) << run.output();
    run.signal(SIGINT);
    EXPECT_TRUE(run.wait_for_exit(10s));
}

std::string one_shot(const std::string& shell) {
    return "[services.migrate]\nshell = " + toml_quoted(shell) +
           "\nready = \"exit\"\nrestart = \"no\"\n";
}

std::string web_after(std::uint16_t port, const std::string& condition) {
    return "[services.web]\ncmd = [" + toml_quoted(fixture("binder")) +
           ", \"-addr\", \"127.0.0.1:${port}\"]\nports = { http = " + std::to_string(port) +
           " }\ndepends_on = { migrate = \"" + condition + "\" }\n";
}

TEST(ReadinessKinds, ExitOneShotGatesItsDependentUntilItExitsZero) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write("app.toml", k_header + one_shot("sleep 0.3; echo migrated") +
                                                    web_after(port, "completed"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network", "--stop-when-ready"});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    const auto exited = run.wait_for_event("exited", "migrate", 0ms);
    const auto started = run.wait_for_event("started", "web", 0ms);
    ASSERT_TRUE(exited && started) << run.output();
    EXPECT_GE(event_time(*started), event_time(*exited)) << run.output();
}

TEST(ReadinessKinds, FailingOneShotStopsTheChainWithAClearReport) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest =
        dir.write("app.toml", k_header + one_shot("echo 'relation exists' >&2; exit 3") +
                                  web_after(port, "completed"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1) << run.output();
    EXPECT_FALSE(run.wait_for_event("started", "web", 0ms)) << run.output();
    const auto abandoned = run.wait_for_event("abandoned", "web", 0ms);
    ASSERT_TRUE(abandoned) << run.output();
    EXPECT_EQ((*abandoned)["dependency"], "migrate");
}

TEST(ReadinessKinds, StartedConditionStartsTheDependentBeforeTheDependencyIsReady) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto web_port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml",
        k_header + "[services.migrate]\ncmd = [" + toml_quoted(fixture("healthserver")) +
            ", \"-addr\", \"127.0.0.1:${port}\", \"-unhealthy-for\", \"1s\"]\nports = { http = " +
            std::to_string(port) + " }\nready = { http = \"http://127.0.0.1:${port}/health\" }\n" +
            web_after(web_port, "started"));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network", "--stop-when-ready"});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 0) << run.output();
    const auto ready = run.wait_for_event("ready", "migrate", 0ms);
    const auto started = run.wait_for_event("started", "web", 0ms);
    ASSERT_TRUE(ready && started) << run.output();
    EXPECT_LT(event_time(*started), event_time(*ready)) << run.output();
}

// Health after ready: the server starts failing its health check; after `failures` checks in a
// row it is unhealthy, stopped and restarted by its policy. Its dependent keeps running (it is
// not restarted) and keeps serving.
TEST(ReadinessKinds, HealthFailuresRestartTheServiceWhileItsDependentKeepsServing) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto web_port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml",
        k_header + "[services.api]\ncmd = [" + toml_quoted(fixture("healthserver")) +
            ", \"-addr\", \"127.0.0.1:${port}\", \"-unhealthy-for\", \"0s\", "
            "\"-unhealthy-after\", \"500ms\"]\nports = { http = " +
            std::to_string(port) +
            " }\nhealth = { http = \"http://127.0.0.1:${port}/health\", interval = \"100ms\", "
            "timeout = \"500ms\", failures = 3 }\nbackoff = { initial = \"100ms\", max = "
            "\"200ms\" }\n[services.web]\ncmd = [" +
            toml_quoted(fixture("binder")) +
            ", \"-addr\", \"127.0.0.1:${port}\"]\nports = { http = " + std::to_string(web_port) +
            " }\ndepends_on = [\"api\"]\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(run.wait_for_event("ready", "web", 20s)) << run.output();
    const auto unhealthy = run.wait_for_event("unhealthy", "api", 10s);
    ASSERT_TRUE(unhealthy) << run.output();
    EXPECT_NE((*unhealthy)["reason"].get<std::string>().find("500"), std::string::npos)
        << run.output();
    const auto restarting = run.wait_for_event("restarting", "api", 10s);
    ASSERT_TRUE(restarting) << run.output();
    EXPECT_EQ((*restarting)["reason"].get<std::string>().rfind("unhealthy: ", 0), 0u)
        << run.output();
    EXPECT_TRUE(eventually([&] { return count_events(run, "ready", "api") >= 2; }, 10s))
        << "api is ready again after its restart: " << run.output();
    EXPECT_EQ(count_events(run, "started", "web"), 1)
        << "the dependent is not restarted: " << run.output();
    EXPECT_TRUE(can_connect(web_port)) << "the dependent keeps serving";
    run.signal(SIGINT);
    EXPECT_TRUE(run.wait_for_exit(10s));
}

// sd_notify: ready when the service sends READY=1, not when it listens; a READY=1 from a process
// that is not the service's is ignored (any local process can reach the abstract socket).
TEST(ReadinessKinds, NotifyIsReadyOnReadyOneFromTheServiceOnly) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml", k_header + "[services.api]\ncmd = [" + toml_quoted(fixture("notifier")) +
                        ", \"-addr\", \"127.0.0.1:${port}\", \"-delay\", \"800ms\"]\nports = { "
                        "http = " +
                        std::to_string(port) + " }\nready = \"notify\"\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(run.wait_for_event("started", "api", 20s)) << run.output();
    ASSERT_TRUE(eventually([&] { return can_connect(port); }, 5s));
    // A forged READY=1 from this test process, before the service's own.
    const std::string socket_name = "golaunch-" + std::to_string(run.pid()) + "-api";
    const int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path + 1, socket_name.data(), socket_name.size());
    const std::string forged = "READY=1";
    EXPECT_EQ(
        ::sendto(fd, forged.data(), forged.size(), 0, reinterpret_cast<sockaddr*>(&address),
                 static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + 1 + socket_name.size())),
        static_cast<ssize_t>(forged.size()));
    ::close(fd);
    EXPECT_TRUE(eventually(
        [&] {
            return run.output().find("ignored an sd_notify message from pid " +
                                     std::to_string(::getpid())) != std::string::npos;
        },
        5s))
        << run.output();
    const auto ready = run.wait_for_event("ready", "api", 10s);
    ASSERT_TRUE(ready) << run.output();
    const auto status = run.wait_for_event("status", "api", 0ms);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ((*status)["status"], "warming up");
    const auto sent = printed_time(run, "ready sent");
    ASSERT_GT(sent, 0) << run.output();
    EXPECT_GE(event_time(*ready), sent)
        << "ready before the service said READY=1: " << run.output();
    EXPECT_NE(
        run.output().find("ignored an sd_notify message from pid " + std::to_string(::getpid())),
        std::string::npos)
        << run.output();
    const auto events = run.events();
    const auto warning = std::find_if(events.begin(), events.end(), [](const auto& e) {
        return e.value("event", "") == "message" && e.value("id", "") == "notify-ignored";
    });
    ASSERT_NE(warning, events.end()) << run.output();
    EXPECT_EQ((*warning)["level"], "warning");
    EXPECT_EQ((*warning)["pid"], ::getpid());
    run.signal(SIGINT);
    EXPECT_TRUE(run.wait_for_exit(10s));
}

// WATCHDOG_USEC: a service that stops pinging WATCHDOG=1 is unhealthy and restarted.
TEST(ReadinessKinds, NotifyWatchdogSilenceMakesItUnhealthy) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write(
        "app.toml",
        k_header + "[services.api]\ncmd = [" + toml_quoted(fixture("notifier")) +
            ", \"-addr\", \"127.0.0.1:${port}\", \"-delay\", \"0s\", \"-watchdog\", \"300ms\", "
            "\"-stop-pinging-after\", \"500ms\"]\nports = { http = " +
            std::to_string(port) + " }\nready = \"notify\"\nrestart = \"no\"\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(run.wait_for_event("ready", "api", 20s)) << run.output();
    const auto unhealthy = run.wait_for_event("unhealthy", "api", 10s);
    ASSERT_TRUE(unhealthy) << run.output();
    EXPECT_NE((*unhealthy)["reason"].get<std::string>().find("no WATCHDOG=1 within 300ms"),
              std::string::npos)
        << run.output();
    const auto status = run.wait_for_exit(10s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1) << run.output();
}

// A startup-timeout report's last output lines are the current attempt's only: the second
// timeout used to list the first attempt's lines too.
TEST(ReadinessKinds, TimeoutReportShowsOnlyThisAttemptsOutput) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest =
        dir.write("app.toml", k_header +
                                  "[services.api]\nshell = \"echo attempt-line; sleep 30\"\n"
                                  "ports = { http = " +
                                  std::to_string(port) +
                                  " }\nstartup_timeout = \"2s\"\nmax_restarts = 1\nbackoff = { "
                                  "initial = \"50ms\", max = \"50ms\" }\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 4) << run.output();
    std::vector<nlohmann::json> timeouts;
    for (const auto& event : run.events()) {
        if (event.value("event", "") == "timeout") {
            timeouts.push_back(event);
        }
    }
    ASSERT_EQ(timeouts.size(), 2u) << run.output();
    for (const auto& timeout : timeouts) {
        EXPECT_EQ(timeout["last_lines"], nlohmann::json::array({"attempt-line"})) << run.output();
    }
}

} // namespace
} // namespace golaunch::test
