// `golaunch check`, `run`'s preflight and `golaunch fix`, end to end with the real binary,
// real listeners and real files.
#include "support/dead_instance.hpp"
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include "instance/state_file.hpp"
#include "platform/admin_commands.hpp"
#include "platform/process_info.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <cstdlib>
#include <fstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

int run_to_exit(GolaunchRun& run, std::chrono::milliseconds timeout = 30s) {
    const auto status = run.wait_for_exit(timeout);
    EXPECT_TRUE(status) << run.output();
    return status ? exit_code_of(*status) : -1;
}

// A fixture service `NAME` whose address follows its (possibly moved) port.
std::string service_toml(const std::string& name, std::uint16_t port) {
    return "[services." + name + "]\ncmd = [" + toml_quoted(fixture("httpserver")) +
           ", \"-name\", \"" + name + "\"]\nargs = [\"-addr\", \"127.0.0.1:${ports." + name +
           ".http}\"]\nports = { http = " + std::to_string(port) + " }   # keep this comment\n";
}

std::string header() {
    return "version = 1\nname = \"fixt\"\n[defaults]\nstop_grace = \"2s\"\n";
}

std::filesystem::path hosts_file(const TempDir& dir) {
    return dir.write("hosts", "127.0.0.1\tlocalhost\r\n::1 localhost ip6-localhost\r\n");
}

std::uint16_t port_of(const nlohmann::json& ready) {
    const std::string listening = ready["listening"][0];
    return static_cast<std::uint16_t>(std::stoi(listening.substr(listening.rfind(':') + 1)));
}

void record_dead_instance(const std::filesystem::path& manifest, const DeadInstance& dead) {
    InstanceRecord record;
    record.pid = dead.pid;
    record.start_ticks = dead.start_ticks;
    record.manifest = manifest.string();
    record_instance(state_file_path(manifest.parent_path()), record);
}

TEST(CliCheck, TextGroupsErrorsFirstByAreaMarksAutomaticFixesAndSummarizes) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto free_port = pick_free_port();
    const auto manifest = dir.write("app.toml", header() + service_toml("web", holder.port) +
                                                    service_toml("api", free_port));
    dir.write(".golaunch/ports.toml", "[ports.api]\nhttp = " + std::to_string(free_port + 1) +
                                          "\n[ports.gone]\nhttp = 1234\n");
    GolaunchRun run(dir, {"check", manifest.string(), "--no-network", "--hosts-file",
                          hosts_file(dir).string()});
    EXPECT_EQ(run_to_exit(run), 3);
    const std::string out = run.output();
    const auto errors =
        out.find("errors (1)\n  ports\n    [port-in-use] port " + std::to_string(holder.port) +
                 " (web.http) is already in use by pid " + std::to_string(holder.pid));
    const auto warnings = out.find("\nwarnings (");
    const auto info = out.find("\ninfo (");
    ASSERT_NE(errors, std::string::npos) << out;
    ASSERT_NE(warnings, std::string::npos) << out;
    ASSERT_NE(info, std::string::npos) << out;
    EXPECT_LT(errors, warnings);
    EXPECT_LT(warnings, info);
    EXPECT_NE(out.find("        auto: `golaunch fix` moves it to the next free port"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("[port-override-unknown] port override for gone.http ignored"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("[port-override] api.http uses " + std::to_string(free_port + 1) +
                       " instead of " + std::to_string(free_port) +
                       ": port override from .golaunch/ports.toml"),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("\ncheck failed: 1 error, "), std::string::npos) << out;
    EXPECT_NE(out.find("; 1 fixable by `golaunch fix` (2 port(s) of 2 service(s) in "),
              std::string::npos)
        << out;
}

TEST(CliCheck, JsonHasStableIdsAreasAndTheAutomaticFix) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto manifest = dir.write("app.toml", header() + service_toml("web", holder.port));
    GolaunchRun run(dir, {"check", manifest.string(), "--json", "--no-network", "--hosts-file",
                          hosts_file(dir).string()});
    EXPECT_EQ(run_to_exit(run), 3);
    const auto report = nlohmann::json::parse(run.output());
    EXPECT_FALSE(report["ok"].get<bool>());
    EXPECT_EQ(report["summary"]["errors"], 1);
    EXPECT_EQ(report["summary"]["fixable"], 1);
    EXPECT_EQ(report["hosts_file"], (dir.path() / "hosts").string());
    EXPECT_FALSE(report["network"].get<bool>());
    const auto& first = report["findings"][0];
    EXPECT_EQ(first["id"], "port-in-use");
    EXPECT_EQ(first["area"], "ports");
    EXPECT_EQ(first["fix"], "move-port");
    EXPECT_TRUE(first["automatic"].get<bool>());
}

TEST(RunPreflight, RefusesABusyPortAndIgnorePreflightStartsAnywayWithAWarning) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    // restart = "no": the service that cannot bind fails once, not in a restart loop.
    const auto manifest =
        dir.write("app.toml", header() + "restart = \"no\"\n" + service_toml("web", holder.port));
    {
        GolaunchRun refused(dir, {"run", manifest.string(), "--no-network"});
        EXPECT_EQ(run_to_exit(refused), 3);
        EXPECT_NE(refused.output().find("not starting: preflight found errors"), std::string::npos)
            << refused.output();
        EXPECT_EQ(refused.output().find("started pid"), std::string::npos) << refused.output();
    }
    GolaunchRun forced(dir, {"run", manifest.string(), "--json", "--no-network",
                             "--ignore-preflight", "--stop-when-ready"});
    const int code = run_to_exit(forced);
    EXPECT_NE(code, 3);
    const auto ignored = forced.wait_for_event("preflight_ignored", "", 0ms);
    ASSERT_TRUE(ignored) << forced.output();
    EXPECT_NE((*ignored)["message"].get<std::string>().find("WARNING: --ignore-preflight"),
              std::string::npos);
    EXPECT_TRUE(forced.wait_for_event("started", "web", 0ms)) << forced.output();
    EXPECT_NE(http_get(holder.port).find("hello from holder"), std::string::npos);
}

TEST(CliFix, DryRunPrintsThePlanAndChangesNothing) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto dead = make_dead_instance();
    FixtureServer stale({"GOLAUNCH_PID=" + std::to_string(dead.pid), "GOLAUNCH_SERVICE=api"},
                        "stale");
    ASSERT_GT(stale.pid, 0);
    const auto manifest = dir.write("app.toml", header() + service_toml("web", holder.port) +
                                                    service_toml("api", stale.port));
    record_dead_instance(manifest, dead);
    const auto hosts = hosts_file(dir);
    const std::string manifest_before = read_file(manifest);
    const std::string hosts_before = read_file(hosts);
    const std::string state_before = read_file(state_file_path(dir.path()));
    GolaunchRun run(dir, {"fix", manifest.string(), "--dry-run", "--no-network", "--hosts-file",
                          hosts.string()});
    EXPECT_EQ(run_to_exit(run), 0);
    const std::string out = run.output();
    EXPECT_NE(out.find("plan: would move web.http " + std::to_string(holder.port) + " -> "),
              std::string::npos)
        << out;
    EXPECT_NE(out.find("plan: would stop golaunch's own stale process holding port " +
                       std::to_string(stale.port) + " (api.http)"),
              std::string::npos)
        << out;
    EXPECT_EQ(read_file(manifest), manifest_before);
    EXPECT_EQ(read_file(hosts), hosts_before);
    EXPECT_EQ(read_file(state_file_path(dir.path())), state_before);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / ".golaunch" / "ports.toml"));
    EXPECT_TRUE(pid_running(holder.pid));
    EXPECT_TRUE(pid_running(stale.pid));
}

TEST(CliFix, MovesABusyPortIntoPortsTomlAndRunUsesItAndServes) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto manifest = dir.write("app.toml", header() + service_toml("web", holder.port));
    const std::string manifest_before = read_file(manifest);
    GolaunchRun fix(dir, {"fix", manifest.string(), "--no-network", "--json"});
    EXPECT_EQ(run_to_exit(fix), 0);
    const auto report = nlohmann::json::parse(fix.output());
    ASSERT_EQ(report["actions"].size(), 1u) << fix.output();
    const auto& action = report["actions"][0];
    EXPECT_EQ(action["action"], "move-port");
    EXPECT_TRUE(action["done"].get<bool>());
    const auto moved = action["to"].get<std::uint16_t>();
    EXPECT_NE(moved, holder.port);
    EXPECT_EQ(read_file(manifest), manifest_before) << "without --write the manifest is untouched";
    const std::string overrides = read_file(dir.path() / ".golaunch" / "ports.toml");
    EXPECT_NE(overrides.find("[ports.web]\nhttp = " + std::to_string(moved) + "\n"),
              std::string::npos)
        << overrides;

    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const auto ready = run.wait_for_event("ready", "web", 60s);
    ASSERT_TRUE(ready) << run.output();
    EXPECT_EQ(port_of(*ready), moved);
    EXPECT_NE(http_get(moved).find("hello from web"), std::string::npos);
    EXPECT_NE(http_get(holder.port).find("hello from holder"), std::string::npos);
    EXPECT_NE(run.output().find("port override from .golaunch/ports.toml"), std::string::npos);
    run.signal(SIGINT);
    EXPECT_EQ(run_to_exit(run), 130);

    GolaunchRun smoke(dir, {"run", manifest.string(), "--stop-when-ready", "--no-network"});
    EXPECT_EQ(run_to_exit(smoke), 0) << smoke.output();
}

TEST(CliFix, WriteChangesOnlyThePortNumberInTheManifest) {
    TempDir dir;
    FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto other = pick_free_port();
    const auto manifest =
        dir.write("app.toml", "# the shop\r\n" + header() + service_toml("web", holder.port) +
                                  service_toml("api", other) + "# no final newline");
    const std::string before = read_file(manifest);
    GolaunchRun fix(dir, {"fix", manifest.string(), "--write", "--no-network", "--json"});
    EXPECT_EQ(run_to_exit(fix), 0) << fix.output();
    const auto moved = nlohmann::json::parse(fix.output())["actions"][0]["to"].get<std::uint16_t>();
    const std::string after = read_file(manifest);
    const std::string old_text = "http = " + std::to_string(holder.port) + " }";
    const auto at = before.find(old_text);
    ASSERT_NE(at, std::string::npos);
    std::string expected = before;
    expected.replace(at + 7, std::to_string(holder.port).size(), std::to_string(moved));
    EXPECT_EQ(after, expected);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / ".golaunch" / "ports.toml"));
}

TEST(CliFix, StopsOurStaleInstanceButLeavesAnUnmarkedHolderServing) {
    TempDir dir;
    const auto dead = make_dead_instance();
    FixtureServer stale({"GOLAUNCH_PID=" + std::to_string(dead.pid), "GOLAUNCH_SERVICE=web"},
                        "stale");
    FixtureServer stranger; // no mark: never touched without --force
    ASSERT_GT(stale.pid, 0);
    ASSERT_GT(stranger.pid, 0);
    const auto manifest = dir.write("app.toml", header() + service_toml("web", stale.port) +
                                                    service_toml("api", stranger.port));
    record_dead_instance(manifest, dead);
    GolaunchRun fix(dir, {"fix", manifest.string(), "--no-network"});
    EXPECT_EQ(run_to_exit(fix), 0) << fix.output();
    const std::string out = fix.output();
    EXPECT_NE(out.find("done: stopped golaunch's own stale process holding port " +
                       std::to_string(stale.port)),
              std::string::npos)
        << out;
    EXPECT_FALSE(pid_running(stale.pid));
    EXPECT_TRUE(pid_running(stranger.pid));
    EXPECT_NE(http_get(stranger.port).find("hello from holder"), std::string::npos);
    EXPECT_NE(read_file(dir.path() / ".golaunch" / "ports.toml").find("[ports.api]"),
              std::string::npos);
    // The dead instance left no process behind any more: its record is gone too.
    EXPECT_TRUE(read_instances(state_file_path(dir.path())).empty());
}

TEST(CliFix, ForceStopsAHolderGolaunchDidNotStartNamingIt) {
    TempDir dir;
    FixtureServer stranger;
    ASSERT_GT(stranger.pid, 0);
    const auto manifest = dir.write("app.toml", header() + service_toml("web", stranger.port));
    GolaunchRun fix(dir, {"fix", manifest.string(), "--force", "--no-network"});
    EXPECT_EQ(run_to_exit(fix), 0) << fix.output();
    EXPECT_NE(fix.output().find("pid " + std::to_string(stranger.pid)), std::string::npos)
        << fix.output();
    EXPECT_NE(fix.output().find("(not started by golaunch; --force)"), std::string::npos);
    EXPECT_FALSE(pid_running(stranger.pid));
    EXPECT_FALSE(std::filesystem::exists(dir.path() / ".golaunch" / "ports.toml"));
}

TEST(RunState, RecordsTheRunningInstanceAndRemovesItOnACleanExit) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", header() + service_toml("web", pick_free_port()));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(run.wait_for_event("ready", "web", 60s)) << run.output();
    const auto records = read_instances(state_file_path(dir.path()));
    ASSERT_EQ(records.size(), 1u);
    EXPECT_EQ(records[0].pid, run.pid());
    const auto info = read_process_info(run.pid());
    ASSERT_TRUE(info);
    EXPECT_EQ(records[0].start_ticks, info->start_ticks);
    EXPECT_EQ(records[0].manifest, manifest.string());
    EXPECT_EQ(records[0].manifest_hash, content_hash(read_file(manifest)));
    EXPECT_TRUE(instance_alive(records[0]));
    run.signal(SIGINT);
    EXPECT_EQ(run_to_exit(run), 130);
    EXPECT_FALSE(std::filesystem::exists(state_file_path(dir.path())));
}

TEST(RunState, ARecordLeftByKillNineIsPrunedByTheNextRun) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", header() + service_toml("web", pick_free_port()));
    pid_t killed = 0;
    {
        GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
        ASSERT_TRUE(run.wait_for_event("ready", "web", 60s)) << run.output();
        killed = run.pid();
        run.signal(SIGKILL);
        ASSERT_TRUE(run.wait_for_exit(5s));
    }
    ASSERT_EQ(read_instances(state_file_path(dir.path())).size(), 1u);
    // The orphan guard stops the services; then nothing carries the dead instance's mark.
    ASSERT_TRUE(eventually([&] { return marked_processes(killed).empty(); }, 10s));
    GolaunchRun again(dir, {"run", manifest.string(), "--stop-when-ready", "--no-network"});
    EXPECT_EQ(run_to_exit(again), 0) << again.output();
    EXPECT_FALSE(std::filesystem::exists(state_file_path(dir.path())));
}

std::string hosts_manifest_text() {
    return "version = 1\nname = \"hostsfix\"\n[hosts]\n\"api.hostsfix.test\" = \"127.0.0.1\"\n"
           "[services.web]\ncmd = [\"true\"]\nhosts = [\"web.hostsfix.test\"]\n";
}

TEST(CliFix, AddsMissingNamesToTheHostsFileBlockOnceKeepingEverythingElse) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", hosts_manifest_text());
    const std::string original = "127.0.0.1\tlocalhost\r\n::1 localhost\r\n# mine";
    const auto hosts = dir.write("hosts", original);
    {
        GolaunchRun check(dir, {"check", manifest.string(), "--json", "--no-network",
                                "--hosts-file", hosts.string()});
        EXPECT_EQ(run_to_exit(check), 0);
        const auto report = nlohmann::json::parse(check.output());
        int missing = 0;
        for (const auto& finding : report["findings"]) {
            if (finding["id"] == "host-missing") {
                ++missing;
                EXPECT_EQ(finding["fix"], "hosts-block");
                EXPECT_TRUE(finding["automatic"].get<bool>());
            }
        }
        EXPECT_EQ(missing, 2) << check.output();
    }
    GolaunchRun dry(dir, {"fix", manifest.string(), "--dry-run", "--no-network", "--hosts-file",
                          hosts.string()});
    EXPECT_EQ(run_to_exit(dry), 0);
    EXPECT_NE(dry.output().find("would write the golaunch block for hostsfix"), std::string::npos)
        << dry.output();
    EXPECT_EQ(read_file(hosts), original);
    EXPECT_FALSE(std::filesystem::exists(hosts.string() + ".golaunch.bak"));

    GolaunchRun fix(dir,
                    {"fix", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(fix), 0) << fix.output();
    const std::string after = read_file(hosts);
    EXPECT_EQ(after.substr(0, original.size()), original);
    EXPECT_NE(after.find("# BEGIN golaunch hostsfix\r\n127.0.0.1 api.hostsfix.test\r\n"
                         "127.0.0.1 web.hostsfix.test\r\n# END golaunch hostsfix"),
              std::string::npos)
        << after;

    GolaunchRun again(dir,
                      {"fix", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(again), 0);
    EXPECT_NE(again.output().find("nothing to fix automatically"), std::string::npos)
        << again.output();
    EXPECT_EQ(read_file(hosts), after);
}

// chattr +i: even root cannot write the file (a real refusal, not a mode bit root ignores).
class Immutable {
  public:
    explicit Immutable(const std::filesystem::path& file) : m_file(file) {
        m_ok = std::system(("chattr +i " + file.string() + " 2>/dev/null").c_str()) == 0;
    }
    ~Immutable() {
        if (m_ok) {
            std::system(("chattr -i " + m_file.string()).c_str());
        }
    }
    bool ok() const { return m_ok; }

  private:
    std::filesystem::path m_file;
    bool m_ok = false;
};

TEST(CliFix, HostsFileNotWritableSaysHowAndExits3WithTheFileIntact) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", hosts_manifest_text());
    const std::string original = "127.0.0.1 localhost\n";
    const auto hosts = dir.write("hosts", original);
    const Immutable locked(hosts);
    if (!locked.ok()) {
        GTEST_SKIP() << "chattr +i is not supported on " << dir.path();
    }
    GolaunchRun fix(dir,
                    {"fix", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(fix), 3);
    EXPECT_NE(fix.output().find("failed: cannot update " + hosts.string()), std::string::npos)
        << fix.output();
    EXPECT_NE(fix.output().find("hint: "), std::string::npos);
    EXPECT_NE(fix.output().find("hint: run it as root: sudo golaunch fix " + manifest.string() +
                                " --hosts-file " + hosts.string() + "\n"),
              std::string::npos)
        << fix.output();
    EXPECT_NE(fix.output().find("fix incomplete (1 failed)"), std::string::npos) << fix.output();
    EXPECT_EQ(read_file(hosts), original);
}

void write_text(const std::filesystem::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary) << text;
}

// The command a `fix:` line of `check` prints for the hosts check ("run `golaunch fix ...`"),
// taken from the finding `id`.
std::string printed_fix_command(const std::string& output, const std::string& id) {
    const auto finding = output.find("[" + id + "]");
    const std::string lead = "fix: run `";
    const auto start = output.find(lead, finding);
    if (finding == std::string::npos || start == std::string::npos) {
        return "";
    }
    const auto end = output.find('`', start + lead.size());
    return output.substr(start + lead.size(), end - start - lead.size());
}

// Runs a printed `golaunch ...` command through /bin/sh, as a person pasting it would (the
// real binary instead of the name; --no-network so that the test sends no DNS packets).
int run_printed(const TempDir& dir, const std::string& command, std::string& output) {
    EXPECT_EQ(command.rfind("golaunch ", 0), 0u) << command;
    const std::string line =
        shell_quote(golaunch_binary()) + command.substr(std::string("golaunch").size());
    const auto log = dir.path() / "printed.log";
    ChildProcess child({"/bin/sh", "-c", line + " --no-network"}, log.string(), {"NO_COLOR=1"});
    const auto status = child.wait_for(30s);
    output = read_file(log);
    return status ? exit_code_of(*status) : -1;
}

// A directory whose name needs quoting in a shell.
std::filesystem::path awkward_dir(const TempDir& dir) {
    const auto path = dir.path() / "it's my dir";
    std::filesystem::create_directories(path);
    return path;
}

TEST(CliFix, HostsRemedyRepeatsManifestAndHostsFileQuotedAndWorksAsPrinted) {
    TempDir dir;
    const auto where = awkward_dir(dir);
    const auto manifest = where / "app.toml";
    write_text(manifest, hosts_manifest_text());
    const auto hosts = where / "hosts";
    write_text(hosts, "127.0.0.1 localhost\n");
    GolaunchRun check(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(check), 0);
    const std::string command = printed_fix_command(check.output(), "host-missing");
    EXPECT_EQ(command, "golaunch fix " + shell_quote(manifest.string()) + " --hosts-file " +
                           shell_quote(hosts.string()))
        << check.output();
    // As root the command needs nothing more; otherwise the same command with sudo.
    const std::string with_rights = elevated(command);
    if (with_rights == "`" + command + "`") {
        EXPECT_EQ(check.output().find("if not permitted"), std::string::npos) << check.output();
    } else {
        EXPECT_NE(check.output().find("(if not permitted: `sudo " + command + "`)"),
                  std::string::npos)
            << check.output();
    }

    std::string output;
    EXPECT_EQ(run_printed(dir, command, output), 0) << output;
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n# BEGIN golaunch hostsfix\n"
                                "127.0.0.1 api.hostsfix.test\n127.0.0.1 web.hostsfix.test\n"
                                "# END golaunch hostsfix\n");
}

// A missing hosts file: check says the names are missing and that fix creates the file; the
// printed command then does, holding only the block.
TEST(CliFix, AMissingHostsFileIsCreatedByTheFixCommandCheckPrints) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", hosts_manifest_text());
    const auto hosts = dir.path() / "hosts";
    GolaunchRun check(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(check), 0);
    EXPECT_EQ(check.output().find("hosts-file-unreadable"), std::string::npos) << check.output();
    EXPECT_NE(check.output().find(hosts.string() + " does not exist"), std::string::npos)
        << check.output();
    const std::string command = printed_fix_command(check.output(), "host-missing");
    std::string output;
    EXPECT_EQ(run_printed(dir, command, output), 0) << output;
    EXPECT_NE(output.find("created " + hosts.string() + " with the golaunch block for hostsfix"),
              std::string::npos)
        << output;
    EXPECT_EQ(read_file(hosts), "# BEGIN golaunch hostsfix\n127.0.0.1 api.hostsfix.test\n"
                                "127.0.0.1 web.hostsfix.test\n# END golaunch hostsfix\n");
    EXPECT_FALSE(std::filesystem::exists(hosts.string() + ".golaunch.bak"));
    EXPECT_EQ(run_printed(dir, command, output), 0) << output;
    EXPECT_NE(output.find("nothing to fix automatically"), std::string::npos) << output;
}

TEST(CliFix, AWrongAddressInGolaunchsOwnBlockIsFixedByFixAsPrinted) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", hosts_manifest_text());
    const auto hosts =
        dir.write("hosts", "127.0.0.1 localhost\n# BEGIN golaunch hostsfix\n"
                           "10.9.9.9 api.hostsfix.test\n127.0.0.1 web.hostsfix.test\n"
                           "# END golaunch hostsfix\n10.1.1.1 other.test\n");
    GolaunchRun check(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(check), 3) << check.output();
    EXPECT_EQ(check.output().find("edit line"), std::string::npos) << check.output();
    const std::string command = printed_fix_command(check.output(), "host-mismatch");
    EXPECT_EQ(command, "golaunch fix " + manifest.string() + " --hosts-file " + hosts.string())
        << check.output();
    EXPECT_NE(check.output().find("auto: `golaunch fix`"), std::string::npos) << check.output();

    std::string output;
    EXPECT_EQ(run_printed(dir, command, output), 0) << output;
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n# BEGIN golaunch hostsfix\n"
                                "127.0.0.1 api.hostsfix.test\n127.0.0.1 web.hostsfix.test\n"
                                "# END golaunch hostsfix\n10.1.1.1 other.test\n");
}

TEST(CliFix, AWrongAddressOutsideTheBlockStillNamesTheLineToEdit) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", hosts_manifest_text());
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n10.9.9.9 api.hostsfix.test\n");
    GolaunchRun check(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(check), 3);
    EXPECT_NE(check.output().find("fix: edit line 2 of " + hosts.string() +
                                  " to '127.0.0.1 api.hostsfix.test'"),
              std::string::npos)
        << check.output();
}

TEST(CliFix, NamesRemovedFromTheManifestLeaveTheBlockOnTheNextFix) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", hosts_manifest_text());
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    GolaunchRun first(dir,
                      {"fix", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(first), 0) << first.output();
    // web.hostsfix.test is no longer declared.
    write_text(manifest,
               "version = 1\nname = \"hostsfix\"\n[hosts]\n"
               "\"api.hostsfix.test\" = \"127.0.0.1\"\n[services.web]\ncmd = [\"true\"]\n");
    GolaunchRun check(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(check), 0);
    EXPECT_NE(check.output().find("[host-stale] web.hostsfix.test is in golaunch's block"),
              std::string::npos)
        << check.output();
    std::string output;
    EXPECT_EQ(run_printed(dir, printed_fix_command(check.output(), "host-stale"), output), 0)
        << output;
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n# BEGIN golaunch hostsfix\n"
                                "127.0.0.1 api.hostsfix.test\n# END golaunch hostsfix\n");
    // No name left: the block goes, and the file is as it was.
    write_text(manifest, "version = 1\nname = \"hostsfix\"\n[services.web]\ncmd = [\"true\"]\n");
    GolaunchRun last(dir,
                     {"fix", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(last), 0) << last.output();
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n");
}

// The manifest loader refuses such a name (the markers are read trimmed): check and fix stop at
// the name, before anything is written.
TEST(CliFix, AProjectNameWithSurroundingSpacesIsNotWrittenIntoTheHostsFile) {
    TempDir dir;
    const std::string text = hosts_manifest_text();
    const auto manifest = dir.write(
        "app.toml", std::string(text).replace(text.find("\"hostsfix\""), 10, "\" hostsfix \""));
    const std::string original = "127.0.0.1 localhost\n";
    const auto hosts = dir.write("hosts", original);
    const std::string refusal = manifest.string() +
                                ":2:8: error: 'name' must not start or end with a space\n"
                                "    2 | name = \" hostsfix \"\n"
                                "      |        ^\n"
                                "hint: the name marks the project's block in the hosts file; "
                                "write name = \"hostsfix\"\n";
    GolaunchRun check(dir,
                      {"check", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(check), 2);
    EXPECT_EQ(check.output(), refusal);

    GolaunchRun fix(dir,
                    {"fix", manifest.string(), "--no-network", "--hosts-file", hosts.string()});
    EXPECT_EQ(run_to_exit(fix), 2) << fix.output();
    EXPECT_EQ(fix.output(), refusal);
    EXPECT_EQ(read_file(hosts), original);
    EXPECT_FALSE(std::filesystem::exists(hosts.string() + ".golaunch.bak"));

    // Doing what the hint says works.
    write_text(manifest, text);
    std::string output;
    EXPECT_EQ(run_printed(dir,
                          "golaunch fix " + manifest.string() + " --hosts-file " + hosts.string(),
                          output),
              0)
        << output;
    EXPECT_NE(read_file(hosts).find("# BEGIN golaunch hostsfix\n"), std::string::npos);
}

TEST(RunPreflight, StopStaleStopsOurStaleInstanceThenServesOnTheSamePort) {
    TempDir dir;
    const auto dead = make_dead_instance();
    FixtureServer stale({"GOLAUNCH_PID=" + std::to_string(dead.pid), "GOLAUNCH_SERVICE=web"},
                        "stale");
    ASSERT_GT(stale.pid, 0);
    const auto manifest = dir.write("app.toml", header() + "on_port_conflict = \"stop-stale\"\n" +
                                                    service_toml("web", stale.port));
    record_dead_instance(manifest, dead);
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    const auto ready = run.wait_for_event("ready", "web", 60s);
    ASSERT_TRUE(ready) << run.output();
    EXPECT_EQ(port_of(*ready), stale.port);
    const auto stopped = run.wait_for_event("preflight", "", 0ms);
    ASSERT_TRUE(stopped);
    EXPECT_EQ((*stopped)["id"], "stale-stopped");
    EXPECT_FALSE(pid_running(stale.pid));
    EXPECT_NE(http_get(stale.port).find("hello from web"), std::string::npos);
    run.signal(SIGINT);
    EXPECT_EQ(run_to_exit(run), 130);
}

TEST(CliFix, LeavesThisProjectAloneWhenItAlreadyRunsUnderALiveGolaunch) {
    TempDir dir;
    const auto port = pick_free_port();
    const auto manifest = dir.write("app.toml", header() + service_toml("web", port));
    GolaunchRun running(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(running.wait_for_event("ready", "web", 60s)) << running.output();
    {
        // check_agrees_test covers what check says about it (project-running).
        GolaunchRun check(dir, {"check", manifest.string(), "--no-network"});
        EXPECT_EQ(run_to_exit(check), 0);
        EXPECT_NE(check.output().find("already running under golaunch pid " +
                                      std::to_string(running.pid())),
                  std::string::npos)
            << check.output();
    }
    {
        GolaunchRun dry(dir, {"fix", manifest.string(), "--no-network", "--force", "--dry-run"});
        EXPECT_EQ(run_to_exit(dry), 0) << "nothing is wrong: " << dry.output();
        EXPECT_NE(dry.output().find("skipped: left alone: port " + std::to_string(port) +
                                    " (web.http) is held by this project, already running under "
                                    "golaunch pid " +
                                    std::to_string(running.pid())),
                  std::string::npos)
            << dry.output();
    }
    // A real fix refuses while the run holds .golaunch/lock (exit 5), naming it.
    GolaunchRun fix(dir, {"fix", manifest.string(), "--no-network", "--force"});
    EXPECT_EQ(run_to_exit(fix), 5);
    EXPECT_NE(fix.output().find("another golaunch is already running in "), std::string::npos)
        << fix.output();
    EXPECT_NE(fix.output().find("golaunch pid " + std::to_string(running.pid()) + " (since "),
              std::string::npos)
        << fix.output();
    EXPECT_FALSE(std::filesystem::exists(dir.path() / ".golaunch" / "ports.toml"));
    EXPECT_NE(http_get(port).find("hello from web"), std::string::npos);
    running.signal(SIGINT);
    EXPECT_EQ(run_to_exit(running), 130);
}

} // namespace
} // namespace golaunch::test
