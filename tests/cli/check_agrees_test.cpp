// `golaunch check` agrees with what `run` and `fix` then do, and every remedy it prints works as
// printed: while the project runs, under on_port_conflict = "next-free" / "stop-stale", and
// for a port override that `fix --write` puts into the manifest. Real runs of the real binary.
#include "cli/cli_helpers.hpp"
#include "support/dead_instance.hpp"

#include "instance/state_file.hpp"

#include <gtest/gtest.h>

#include <signal.h>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

const nlohmann::json* finding_with_id(const nlohmann::json& report, const std::string& key,
                                      const std::string& id) {
    for (const auto& finding : report[key]) {
        if (finding["id"] == id) {
            return &finding;
        }
    }
    return nullptr;
}

// A field of a finding, or "<missing>" (never an assertion in the JSON library).
nlohmann::json field(const nlohmann::json* finding, const std::string& key) {
    return finding != nullptr && finding->contains(key) ? finding->at(key)
                                                        : nlohmann::json("<missing>");
}

void record_gone_instance(const std::filesystem::path& manifest, const DeadInstance& dead) {
    InstanceRecord record;
    record.pid = dead.pid;
    record.start_ticks = dead.start_ticks;
    record.manifest = manifest.string();
    record_instance(state_file_path(manifest.parent_path()), record);
}

TEST(CheckWhileRunning, SaysTheProjectRunsNamesTheInstanceAndTheRemedyWorksAsPrinted) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest =
        dir.write("app.toml", fixture_manifest_header() + fixture_service_toml("web", port));
    const auto hosts = temp_hosts_file(dir);
    GolaunchRun running(
        dir, {"run", manifest.string(), "--json", "--no-network", "--hosts-file", hosts.string()});
    const auto ready = running.wait_for_event("ready", "web", 60s);
    ASSERT_TRUE(ready) << running.output();
    const pid_t service_pid = (*ready)["pid"].get<pid_t>();
    const std::string golaunch_pid = std::to_string(running.pid());

    GolaunchRun check(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(exit_code_of_run(check), 0) << "the project running is no preflight error";
    const std::string out = check.output();
    EXPECT_NE(out.find("[project-running] port " + std::to_string(port) +
                       " (web.http) is served by this project, already running under golaunch "
                       "pid " +
                       golaunch_pid + " (since "),
              std::string::npos)
        << out;
    EXPECT_EQ(out.find("[port-in-use]"), std::string::npos) << out;
    EXPECT_EQ(out.find("auto:"), std::string::npos) << "fix has nothing to do: " << out;
    EXPECT_EQ(out.find("golaunch fix"), std::string::npos) << out;
    EXPECT_NE(out.find("fix: nothing to fix: it is this project's own service; to restart it, "
                       "stop that golaunch first (Ctrl-C in its terminal, or `kill " +
                       golaunch_pid + "`)"),
              std::string::npos)
        << out;

    GolaunchRun json(dir, {"check", manifest.string(), "--json", "--no-network", "--hosts-file",
                           hosts.string()});
    EXPECT_EQ(exit_code_of_run(json), 0);
    const auto report = nlohmann::json::parse(json.output());
    const auto* finding = finding_with_id(report, "findings", "project-running");
    ASSERT_NE(finding, nullptr) << json.output();
    EXPECT_EQ(field(finding, "severity"), "warning");
    EXPECT_EQ(field(finding, "service"), "web");
    EXPECT_EQ(field(finding, "port_name"), "http");
    EXPECT_EQ(field(finding, "port"), port);
    EXPECT_EQ(field(finding, "pid"), service_pid);
    EXPECT_EQ(field(finding, "golaunch_pid"), running.pid());
    EXPECT_FALSE(field(finding, "started_at").get<std::string>().empty()) << *finding;
    EXPECT_TRUE(field(finding, "fix").is_null());

    // fix agrees: nothing to do, nothing refused.
    GolaunchRun dry(dir, {"fix", manifest.string(), "--dry-run", "--no-network", "--hosts-file",
                          hosts.string()});
    EXPECT_EQ(exit_code_of_run(dry), 0) << dry.output();

    // The printed command stops the run (this test started it), and then check is clean.
    std::string printed_output;
    const std::string kill = printed_remedy_command(out, "project-running", "or `");
    ASSERT_EQ(kill, "kill " + golaunch_pid) << out;
    EXPECT_EQ(run_pasted(dir, kill, printed_output), 0) << printed_output;
    EXPECT_EQ(exit_code_of_run(running), 143) << running.output();
    GolaunchRun after(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(exit_code_of_run(after), 0);
    EXPECT_EQ(after.output().find("[project-running]"), std::string::npos) << after.output();
}

TEST(CheckNextFree, AgreesWithRunAndNamesThePortRunWillUse) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto manifest =
        dir.write("app.toml", fixture_manifest_header() + "on_port_conflict = \"next-free\"\n" +
                                  fixture_service_toml("web", holder.port));
    const auto hosts = temp_hosts_file(dir);
    GolaunchRun check(dir, {"check", manifest.string(), "--json", "--no-network", "--hosts-file",
                            hosts.string()});
    EXPECT_EQ(exit_code_of_run(check), 0) << check.output();
    const auto report = nlohmann::json::parse(check.output());
    EXPECT_TRUE(report["ok"].get<bool>());
    const auto* finding = finding_with_id(report, "findings", "port-will-move");
    ASSERT_NE(finding, nullptr) << check.output();
    EXPECT_EQ(field(finding, "severity"), "warning");
    EXPECT_EQ(field(finding, "pid"), holder.pid);
    EXPECT_EQ(field(finding, "port"), holder.port);
    const auto to = field(finding, "to").get<std::uint16_t>();
    EXPECT_NE(to, holder.port);
    EXPECT_NE(field(finding, "message")
                  .get<std::string>()
                  .find("`golaunch run` will use " + std::to_string(to) + " instead"),
              std::string::npos)
        << *finding;
    EXPECT_EQ(finding_with_id(report, "findings", "port-in-use"), nullptr) << check.output();

    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network", "--hosts-file",
                          hosts.string(), "--stop-when-ready"});
    EXPECT_EQ(exit_code_of_run(run), 0) << run.output();
    const auto moved = run.wait_for_event("preflight", "", 0ms);
    ASSERT_TRUE(moved) << run.output();
    EXPECT_EQ((*moved)["id"], "port-moved");
}

TEST(CheckStopStale, AgreesWithRunThatStopsOurStaleInstance) {
    TempDir dir;
    const auto dead = make_dead_instance();
    FixtureServer stale({"GOLAUNCH_PID=" + std::to_string(dead.pid), "GOLAUNCH_SERVICE=web"},
                        "stale");
    ASSERT_GT(stale.pid, 0);
    const auto manifest =
        dir.write("app.toml", fixture_manifest_header() + "on_port_conflict = \"stop-stale\"\n" +
                                  fixture_service_toml("web", stale.port));
    record_gone_instance(manifest, dead);
    const auto hosts = temp_hosts_file(dir);
    GolaunchRun check(dir, {"check", manifest.string(), "--json", "--no-network", "--hosts-file",
                            hosts.string()});
    EXPECT_EQ(exit_code_of_run(check), 0) << check.output();
    const auto report = nlohmann::json::parse(check.output());
    const auto* finding = finding_with_id(report, "findings", "stale-will-stop");
    ASSERT_NE(finding, nullptr) << check.output();
    EXPECT_EQ(field(finding, "severity"), "warning");
    EXPECT_EQ(field(finding, "pid"), stale.pid);
    EXPECT_TRUE(pid_running(stale.pid)) << "check changes nothing";

    GolaunchRun run(dir, {"run", manifest.string(), "--no-network", "--hosts-file", hosts.string(),
                          "--stop-when-ready"});
    EXPECT_EQ(exit_code_of_run(run), 0) << run.output();
    EXPECT_FALSE(pid_running(stale.pid));
}

TEST(FixWrite, PutsThePortOverrideIntoTheManifestAsTheHintSays) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto other = pick_free_port();
    const auto manifest =
        dir.write("app.toml", "# the shop\r\n" + fixture_manifest_header() +
                                  fixture_service_toml("web", holder.port) +
                                  fixture_service_toml("api", other) + "# no final newline");
    const auto hosts = temp_hosts_file(dir);
    const std::string before = read_file(manifest);
    GolaunchRun fix(
        dir, {"fix", manifest.string(), "--json", "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(exit_code_of_run(fix), 0) << fix.output();
    const auto moved = nlohmann::json::parse(fix.output())["actions"][0]["to"].get<std::uint16_t>();
    ASSERT_TRUE(std::filesystem::exists(dir.path() / ".golaunch" / "ports.toml"));

    GolaunchRun check(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(exit_code_of_run(check), 0);
    const std::string command = printed_remedy_command(check.output(), "port-override", "or `");
    EXPECT_EQ(command,
              "golaunch fix " + manifest.string() + " --hosts-file " + hosts.string() + " --write")
        << check.output();

    std::string output;
    EXPECT_EQ(run_pasted(dir, command, output), 0) << output;
    EXPECT_EQ(output.find("nothing to fix automatically"), std::string::npos) << output;
    EXPECT_NE(output.find("done: moved the port override web.http " + std::to_string(moved) +
                          " from .golaunch/ports.toml into " + manifest.string()),
              std::string::npos)
        << output;
    const std::string old_text = "http = " + std::to_string(holder.port) + " }";
    const auto at = before.find(old_text);
    ASSERT_NE(at, std::string::npos);
    std::string expected = before;
    expected.replace(at + 7, std::to_string(holder.port).size(), std::to_string(moved));
    EXPECT_EQ(read_file(manifest), expected) << "only that number changed";
    EXPECT_FALSE(std::filesystem::exists(dir.path() / ".golaunch" / "ports.toml"));

    GolaunchRun again(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(exit_code_of_run(again), 0);
    EXPECT_EQ(again.output().find("[port-override]"), std::string::npos) << again.output();
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network", "--hosts-file",
                          hosts.string(), "--stop-when-ready"});
    EXPECT_EQ(exit_code_of_run(run), 0) << run.output();
    const auto ready = run.wait_for_event("ready", "web", 0ms);
    ASSERT_TRUE(ready) << run.output();
    EXPECT_EQ(ready_port(*ready), moved);
}

TEST(FixWrite, DryRunShowsTheOverrideMoveAndChangesNothing) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto port = ports[0];
    const auto manifest =
        dir.write("app.toml", fixture_manifest_header() + fixture_service_toml("web", port));
    const auto hosts = temp_hosts_file(dir);
    const auto overrides =
        dir.write(".golaunch/ports.toml", "[ports.web]\nhttp = " + std::to_string(ports[1]) + "\n");
    const std::string before = read_file(manifest);
    GolaunchRun dry(dir, {"fix", manifest.string(), "--write", "--dry-run", "--no-network",
                          "--hosts-file", hosts.string()});
    EXPECT_EQ(exit_code_of_run(dry), 0) << dry.output();
    EXPECT_NE(dry.output().find("plan: would move the port override web.http " +
                                std::to_string(ports[1]) + " from .golaunch/ports.toml into " +
                                manifest.string()),
              std::string::npos)
        << dry.output();
    EXPECT_EQ(read_file(manifest), before);
    EXPECT_TRUE(std::filesystem::exists(overrides));
}

TEST(CheckJson, EveryFindingCarriesItsFieldsAndPortInUseTheHoldersPid) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto two = pick_free_ports(2);
    const auto free_port = two[0];
    const auto manifest = dir.write("app.toml", fixture_manifest_header() +
                                                    "[hosts]\n\"api.fixt.test\" = \"127.0.0.1\"\n" +
                                                    fixture_service_toml("web", holder.port) +
                                                    fixture_service_toml("api", free_port));
    dir.write(".golaunch/ports.toml", "[ports.api]\nhttp = " + std::to_string(two[1]) + "\n");
    const auto hosts = temp_hosts_file(dir);
    GolaunchRun check(dir, {"check", manifest.string(), "--json", "--no-network", "--hosts-file",
                            hosts.string()});
    EXPECT_EQ(exit_code_of_run(check), 3);
    const auto report = nlohmann::json::parse(check.output());
    ASSERT_FALSE(report["findings"].empty());
    for (const auto& finding : report["findings"]) {
        for (const char* key : {"id", "service", "port_name", "port", "address", "pid"}) {
            EXPECT_TRUE(finding.contains(key)) << key << " missing in " << finding;
        }
    }
    const auto* in_use = finding_with_id(report, "findings", "port-in-use");
    ASSERT_NE(in_use, nullptr) << check.output();
    EXPECT_EQ(field(in_use, "pid"), holder.pid);
    EXPECT_EQ(field(in_use, "service"), "web");
    EXPECT_EQ(field(in_use, "port_name"), "http");
    EXPECT_EQ(field(in_use, "port"), holder.port);
    EXPECT_EQ(field(in_use, "address"), "127.0.0.1");
    ASSERT_EQ(field(in_use, "holders").size(), 1u) << *in_use;
    EXPECT_EQ(field(in_use, "holders")[0]["pid"], holder.pid);
    EXPECT_EQ(field(in_use, "holders")[0]["address"], "127.0.0.1");
    EXPECT_EQ(field(in_use, "holders")[0]["kind"], "foreign");
    const auto* missing = finding_with_id(report, "findings", "host-missing");
    ASSERT_NE(missing, nullptr) << check.output();
    EXPECT_EQ(field(missing, "host"), "api.fixt.test");
    EXPECT_EQ(field(missing, "address"), "127.0.0.1");
    EXPECT_EQ(field(missing, "file"), hosts.string());
    EXPECT_TRUE(field(missing, "pid").is_null());
    const auto* overridden = finding_with_id(report, "findings", "port-override");
    ASSERT_NE(overridden, nullptr) << check.output();
    EXPECT_EQ(field(overridden, "service"), "api");
    EXPECT_EQ(field(overridden, "port"), free_port);
    EXPECT_EQ(field(overridden, "to"), two[1]);
    EXPECT_EQ(field(overridden, "line"), 2);

    GolaunchRun dry(dir, {"fix", manifest.string(), "--json", "--dry-run", "--no-network",
                          "--hosts-file", hosts.string()});
    exit_code_of_run(dry);
    const auto plan = nlohmann::json::parse(dry.output());
    for (const auto& finding : plan["remaining"]) {
        for (const char* key : {"id", "service", "port_name", "port", "address", "pid"}) {
            EXPECT_TRUE(finding.contains(key)) << key << " missing in " << finding;
        }
    }
}

} // namespace
} // namespace golaunch::test
