// The orchestrator against real situations: a busy port (ours, stale, or somebody else's).
#include "preflight/preflight.hpp"

#include "instance/state_file.hpp"
#include "manifest/loader.hpp"
#include "support/dead_instance.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

Manifest manifest_on(const test::TempDir& dir, std::uint16_t port, const std::string& policy,
                     const std::string& extra = "") {
    const auto path = dir.write("app.toml", "version = 1\nname = \"pf\"\n[defaults]\n"
                                            "on_port_conflict = \"" +
                                                policy +
                                                "\"\nstop_grace = \"2s\"\n[services.web]\n"
                                                "cmd = [\"true\"]\nports = { http = " +
                                                std::to_string(port) + " }\n" + extra);
    return load_manifest(path);
}

const Finding* find(const PreflightResult& result, const std::string& id) {
    const auto it = std::find_if(result.findings.begin(), result.findings.end(),
                                 [&](const Finding& f) { return f.id == id; });
    return it == result.findings.end() ? nullptr : &*it;
}

enum class As { check, run }; // report only, or apply the port-conflict policy

// run_preflight for service "web", offline, with a plain hosts file in `dir`.
PreflightResult preflight_web(const Manifest& manifest, const test::TempDir& dir, As as) {
    PreflightOptions options;
    options.apply_policy = as == As::run;
    options.network = false;
    options.hosts_file = dir.write("hosts", "127.0.0.1 localhost\n::1 localhost\n");
    return run_preflight(manifest, {"web"}, options);
}

// Records `dead` as an instance of `manifest` that ran from its directory.
void record_dead(const Manifest& manifest, const test::DeadInstance& dead) {
    InstanceRecord record;
    record.pid = dead.pid;
    record.start_ticks = dead.start_ticks;
    record.manifest = std::filesystem::absolute(manifest.path).lexically_normal().string();
    record_instance(state_file_path(manifest.root_dir), record);
}

TEST(Preflight, BusyPortInCheckViewIsAnErrorFixedByMovingThePort) {
    test::TempDir dir;
    test::FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto manifest = manifest_on(dir, holder.port, "fail");
    const auto result = preflight_web(manifest, dir, As::check);
    const auto* in_use = find(result, "port-in-use");
    ASSERT_NE(in_use, nullptr);
    EXPECT_EQ(in_use->severity, Severity::error);
    EXPECT_EQ(in_use->fix, "move-port");
    EXPECT_EQ(result.findings.front().id, "port-in-use"); // the port check's findings first
    ASSERT_EQ(result.conflicts.size(), 1u);
    ASSERT_EQ(result.conflicts[0].holders.size(), 1u);
    EXPECT_EQ(result.conflicts[0].holders[0].kind, HolderKind::foreign);
    EXPECT_EQ(result.hosts_file, dir.path() / "hosts");
    ASSERT_EQ(result.endpoints.size(), 1u);
    EXPECT_EQ(result.endpoints[0].port, holder.port);
}

TEST(Preflight, StopStaleStopsOurOwnStaleInstanceAndUsesThePort) {
    test::TempDir dir;
    const auto dead = test::make_dead_instance();
    test::FixtureServer stale({"GOLAUNCH_PID=" + std::to_string(dead.pid), "GOLAUNCH_SERVICE=web"},
                              "stale");
    ASSERT_GT(stale.pid, 0);
    const auto manifest = manifest_on(dir, stale.port, "stop-stale");
    record_dead(manifest, dead);

    // check agrees with run: a warning that run stops it, not an error.
    const auto check = preflight_web(manifest, dir, As::check);
    const auto* will_stop = find(check, "stale-will-stop");
    ASSERT_NE(will_stop, nullptr);
    EXPECT_EQ(will_stop->severity, Severity::warning);
    EXPECT_EQ(will_stop->fix, "stop-stale");
    EXPECT_NE(will_stop->message.find("a stale instance of this project"), std::string::npos)
        << will_stop->message;
    EXPECT_FALSE(has_errors(check.findings));
    EXPECT_TRUE(test::pid_running(stale.pid)) << "check must not touch anything";

    const auto run = preflight_web(manifest, dir, As::run);
    const auto* stopped = find(run, "stale-stopped");
    ASSERT_NE(stopped, nullptr) << (run.findings.empty() ? "" : run.findings[0].message);
    EXPECT_EQ(stopped->severity, Severity::info);
    EXPECT_FALSE(has_errors(run.findings));
    EXPECT_FALSE(test::pid_running(stale.pid));
    EXPECT_EQ(run.assignments.at("web").at("http"), stale.port);
    EXPECT_FALSE(test::can_connect(stale.port));
}

TEST(Preflight, StopStaleNeverTouchesAProcessWithoutOurMark) {
    test::TempDir dir;
    const auto dead = test::make_dead_instance();
    test::FixtureServer holder; // no GOLAUNCH_PID
    ASSERT_GT(holder.pid, 0);
    const auto manifest = manifest_on(dir, holder.port, "stop-stale");
    record_dead(manifest, dead);
    const auto run = preflight_web(manifest, dir, As::run);
    const auto* in_use = find(run, "port-in-use");
    ASSERT_NE(in_use, nullptr);
    EXPECT_EQ(in_use->severity, Severity::error);
    EXPECT_NE(in_use->remedy.find("this holder is not one"), std::string::npos) << in_use->remedy;
    EXPECT_TRUE(test::pid_running(holder.pid));
    EXPECT_NE(test::http_get(holder.port).find("hello from holder"), std::string::npos);
}

TEST(Preflight, StaleMarkOfAnUnrecordedInstanceIsNotOurs) {
    test::TempDir dir;
    const auto dead = test::make_dead_instance(); // never recorded in the state file
    test::FixtureServer holder({"GOLAUNCH_PID=" + std::to_string(dead.pid)}, "other");
    ASSERT_GT(holder.pid, 0);
    const auto manifest = manifest_on(dir, holder.port, "stop-stale");
    const auto run = preflight_web(manifest, dir, As::run);
    const auto* in_use = find(run, "port-in-use");
    ASSERT_NE(in_use, nullptr);
    EXPECT_EQ(in_use->fix, "move-port");
    EXPECT_TRUE(test::pid_running(holder.pid));
}

TEST(Preflight, NextFreeMovesAndTheOtherChecksSeeTheMovedPort) {
    test::TempDir dir;
    test::FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto manifest = manifest_on(dir, holder.port, "next-free");
    const auto run = preflight_web(manifest, dir, As::run);
    ASSERT_NE(find(run, "port-moved"), nullptr);
    const auto moved = run.assignments.at("web").at("http");
    EXPECT_NE(moved, holder.port);
    ASSERT_EQ(run.endpoints.size(), 1u);
    EXPECT_EQ(run.endpoints[0].port, moved);
}

} // namespace
} // namespace golaunch
