// `golaunch ps|restart|stop|start|logs` against a real run of two real Go servers (db, and api
// which depends on it), through the control socket: pids, states and ports as the run reports
// them, one service restarted while its sibling keeps its pid and serves, stop and start,
// logs -n and -f, an unknown service (exit 2), no run at all, and another user (EACCES).
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

struct Result {
    int code = -1;
    std::string output;
};

// The golaunch CLI to its end (bounded), output and exit code.
Result golaunch(const TempDir& dir, const std::vector<std::string>& args) {
    GolaunchRun run(dir, args);
    const auto status = run.wait_for_exit(30s);
    EXPECT_TRUE(status) << "golaunch " << args.front() << " did not end: " << run.output();
    return {status ? exit_code_of(*status) : -1, run.output()};
}

class ControlSocket : public testing::Test {
  protected:
    void SetUp() override {
        const auto ports = pick_free_ports(2);
        m_db_port = ports[0];
        m_api_port = ports[1];
        const std::string server = toml_quoted(fixture("httpserver"));
        m_manifest =
            m_dir.write("golaunch.toml", "version = 1\nname = \"ctl\"\n"
                                         "[services.db]\ncmd = [" +
                                             server +
                                             ", \"-addr\", \"127.0.0.1:${ports.db.http}\", "
                                             "\"-name\", \"db\"]\nports = { http = " +
                                             std::to_string(m_db_port) +
                                             " }\n"
                                             "[services.api]\ncmd = [" +
                                             server +
                                             ", \"-addr\", \"127.0.0.1:${ports.api.http}\", "
                                             "\"-name\", \"api\"]\nports = { http = " +
                                             std::to_string(m_api_port) +
                                             " }\n"
                                             "depends_on = [\"db\"]\n");
        m_run = std::make_unique<GolaunchRun>(
            m_dir, std::vector<std::string>{"run", m_manifest.string(), "--json", "--no-network"});
        ASSERT_TRUE(m_run->wait_for_event("all_ready", "", 30s)) << m_run->output();
        // The "listening on" lines come through the services' pipes, which golaunch may read
        // after it reported them ready: in the log (and so in `golaunch logs`) before a test.
        for (const char* name : {"db", "api"}) {
            ASSERT_TRUE(m_run->wait_for_output(std::string(name) + " listening on", 30s))
                << m_run->output();
        }
    }

    void TearDown() override {
        if (m_run) {
            m_run->signal(SIGINT);
            EXPECT_TRUE(m_run->wait_for_exit(20s)) << m_run->output();
        }
    }

    nlohmann::json ps() {
        const auto result = golaunch(m_dir, {"ps", m_manifest.string(), "--json"});
        EXPECT_EQ(result.code, 0) << result.output;
        return nlohmann::json::parse(result.output);
    }

    static nlohmann::json service_of(const nlohmann::json& ps, const std::string& name) {
        for (const auto& service : ps["services"]) {
            if (service["name"] == name) {
                return service;
            }
        }
        ADD_FAILURE() << "no " << name << " in " << ps.dump();
        return {};
    }

    TempDir m_dir;
    std::filesystem::path m_manifest;
    std::uint16_t m_db_port = 0;
    std::uint16_t m_api_port = 0;
    std::unique_ptr<GolaunchRun> m_run;
};

TEST_F(ControlSocket, PsGivesWhatTheRunReports) {
    const auto list = ps();
    EXPECT_EQ(list["golaunch_pid"], m_run->pid());
    const auto db = service_of(list, "db");
    const auto api = service_of(list, "api");
    EXPECT_EQ(db["state"], "ready");
    EXPECT_EQ(api["state"], "ready");
    EXPECT_EQ(db["pid"], (*m_run->wait_for_event("ready", "db", 0ms))["pid"]);
    EXPECT_EQ(api["pid"], (*m_run->wait_for_event("ready", "api", 0ms))["pid"]);
    EXPECT_EQ(db["ports"]["http"], m_db_port);
    EXPECT_EQ(api["depends_on"], nlohmann::json::array({"db"}));
    EXPECT_TRUE(api["ready_at"].is_string());
    const auto text = golaunch(m_dir, {"ps", m_manifest.string()});
    EXPECT_EQ(text.code, 0);
    EXPECT_NE(text.output.find("NAME  STATE  PID"), std::string::npos) << text.output;
    EXPECT_NE(text.output.find("http=" + std::to_string(m_api_port)), std::string::npos)
        << text.output;
}

TEST_F(ControlSocket, RestartGivesOneServiceANewPidWhileItsSiblingKeepsItsOwnAndServes) {
    const auto before = ps();
    const auto old_api = service_of(before, "api")["pid"].get<int>();
    const auto old_db = service_of(before, "db")["pid"].get<int>();
    const auto restart = golaunch(m_dir, {"restart", m_manifest.string(), "api"});
    EXPECT_EQ(restart.code, 0) << restart.output;
    EXPECT_NE(restart.output.find("restart api: ready -> stopping"), std::string::npos)
        << restart.output;
    EXPECT_NE(restart.output.find("api: ready (pid "), std::string::npos) << restart.output;
    // restart returns once the new instance is ready: it serves at once.
    EXPECT_NE(http_get(m_api_port).find("api"), std::string::npos);
    const auto after = ps();
    EXPECT_NE(service_of(after, "api")["pid"].get<int>(), old_api);
    EXPECT_FALSE(pid_running(old_api)) << "the old instance is gone";
    EXPECT_EQ(service_of(after, "db")["pid"].get<int>(), old_db) << "db was left alone";
    EXPECT_EQ(service_of(after, "api")["restarts"], 0) << "asked for: not one of its restarts";
    EXPECT_NE(http_get(m_db_port).find("db"), std::string::npos);
}

TEST_F(ControlSocket, RestartWithDependentsStartsTheDependentAfterItsDependencyIsReady) {
    const auto restart =
        golaunch(m_dir, {"restart", m_manifest.string(), "db", "--with-dependents"});
    EXPECT_EQ(restart.code, 0) << restart.output;
    // The second ready of each: db's comes before api's second start. The command returns on
    // api's ready from the control socket, which can be ahead of the run's own output: polled.
    std::vector<std::string> order;
    eventually(
        [&] {
            order.clear();
            for (const auto& event : m_run->events()) {
                const auto name = event.value("event", "");
                if (name == "ready" || name == "started") {
                    order.push_back(name + " " + event.value("service", ""));
                }
            }
            return order.size() >= 8;
        },
        30s);
    ASSERT_GE(order.size(), 8U) << m_run->output();
    const std::vector<std::string> second(order.begin() + 4, order.begin() + 8);
    EXPECT_EQ(second,
              (std::vector<std::string>{"started db", "ready db", "started api", "ready api"}))
        << m_run->output();
}

TEST_F(ControlSocket, StopLeavesItStoppedWhileItsDependentRunsAndStartBringsItBack) {
    const auto api_pid = service_of(ps(), "api")["pid"].get<int>();
    const auto stop = golaunch(m_dir, {"stop", m_manifest.string(), "db"});
    EXPECT_EQ(stop.code, 0) << stop.output;
    EXPECT_NE(stop.output.find("db: stopped"), std::string::npos) << stop.output;
    auto list = ps();
    EXPECT_EQ(service_of(list, "db")["state"], "stopped");
    EXPECT_TRUE(service_of(list, "db")["pid"].is_null());
    EXPECT_FALSE(can_connect(m_db_port));
    EXPECT_EQ(service_of(list, "api")["pid"], api_pid) << "its dependent keeps running";
    EXPECT_NE(http_get(m_api_port).find("api"), std::string::npos);
    // The run goes on with a service stopped: it is not "finished".
    EXPECT_FALSE(m_run->wait_for_exit(300ms));

    const auto start = golaunch(m_dir, {"start", m_manifest.string(), "db"});
    EXPECT_EQ(start.code, 0) << start.output;
    EXPECT_NE(start.output.find("start db: stopped -> "), std::string::npos) << start.output;
    list = ps();
    EXPECT_EQ(service_of(list, "db")["state"], "ready");
    EXPECT_NE(http_get(m_db_port).find("db"), std::string::npos);
}

TEST_F(ControlSocket, LogsGivesTheLastLinesAndFollowsNewOnes) {
    const auto last = golaunch(m_dir, {"logs", m_manifest.string(), "api", "-n", "1"});
    EXPECT_EQ(last.code, 0) << last.output;
    EXPECT_EQ(last.output,
              "api      | api listening on 127.0.0.1:" + std::to_string(m_api_port) + "\n")
        << last.output;
    const auto json = golaunch(m_dir, {"logs", m_manifest.string(), "--json", "-n", "5"});
    EXPECT_EQ(json.code, 0) << json.output;
    EXPECT_NE(json.output.find("\"service\":\"db\""), std::string::npos) << json.output;
    EXPECT_NE(json.output.find("\"service\":\"api\""), std::string::npos) << json.output;

    GolaunchRun follow(m_dir, {"logs", m_manifest.string(), "db", "-f", "-n", "1"});
    // Its last line first: once it is printed, the follower is registered.
    const std::string listening =
        "db       | db listening on 127.0.0.1:" + std::to_string(m_db_port);
    ASSERT_TRUE(follow.wait_for_output(listening, 10s)) << follow.output();
    EXPECT_EQ(golaunch(m_dir, {"restart", m_manifest.string(), "db", "api"}).code, 0);
    // Then only new lines of db: its restart's.
    EXPECT_TRUE(follow.wait_for_output("db got terminated", 10s)) << follow.output();
    EXPECT_TRUE(eventually(
        [&] {
            const auto out = follow.output();
            return out.find(listening) != out.rfind(listening);
        },
        10s))
        << "the new instance's line: " << follow.output();
    EXPECT_EQ(follow.output().find("api      |"), std::string::npos) << follow.output();
    // It follows until the run ends.
    m_run->signal(SIGINT);
    EXPECT_TRUE(m_run->wait_for_exit(20s));
    m_run.reset();
    EXPECT_TRUE(follow.wait_for_exit(10s)) << "logs -f ends with the run";
}

TEST_F(ControlSocket, AnUnknownServiceIsAUsageErrorNamingTheServices) {
    const auto result = golaunch(m_dir, {"restart", m_manifest.string(), "apj"});
    EXPECT_EQ(result.code, 2) << result.output;
    EXPECT_NE(result.output.find("no service apj in the running golaunch (its services: db, api)"),
              std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("did you mean api?"), std::string::npos) << result.output;
    EXPECT_EQ(golaunch(m_dir, {"logs", m_manifest.string(), "nope"}).code, 2);
}

TEST_F(ControlSocket, AnotherUserIsRefused) {
    if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0) {
        GTEST_SKIP() << "needs root and setpriv to try as nobody";
    }
    // Everything on the way is searchable by nobody: only the socket's own mode stops it.
    ASSERT_EQ(::chmod(m_dir.path().c_str(), 0755), 0);
    struct stat info {};
    const auto socket = m_dir.path() / ".golaunch" / "control.sock";
    ASSERT_EQ(::stat(socket.c_str(), &info), 0);
    EXPECT_TRUE(S_ISSOCK(info.st_mode));
    EXPECT_EQ(info.st_mode & 0777, 0600);
    ASSERT_EQ(::chmod((m_dir.path() / ".golaunch").c_str(), 0755), 0);
    TempDir scratch;
    ASSERT_EQ(::chmod(scratch.path().c_str(), 0777), 0);
    const auto log = scratch.path() / "nobody.log";
    ChildProcess nobody({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                         golaunch_binary(), "ps", m_manifest.string()},
                        log.string(), {"NO_COLOR=1"});
    const auto status = nobody.wait_for(30s);
    ASSERT_TRUE(status);
    const std::string output = read_file(log);
    if (output.find("golaunch") == std::string::npos) {
        GTEST_SKIP() << "golaunch cannot run as nobody here: " << output;
    }
    EXPECT_EQ(exit_code_of(*status), 1) << output;
    EXPECT_NE(output.find("cannot reach " + socket.string() + ": Permission denied"),
              std::string::npos)
        << output;
    EXPECT_NE(output.find("run this command as that user"), std::string::npos) << output;
}

TEST(ControlSocketWithoutRun, SaysNoRunIsActiveAndHowToStartOne) {
    TempDir dir;
    const auto manifest =
        dir.write("golaunch.toml", "version = 1\n[services.a]\ncmd = [\"true\"]\n");
    const auto result = golaunch(dir, {"ps", manifest.string()});
    EXPECT_EQ(result.code, 1) << result.output;
    EXPECT_NE(result.output.find("no golaunch run is active in " + dir.path().string()),
              std::string::npos)
        << result.output;
    EXPECT_NE(result.output.find("hint: start one with `golaunch run`"), std::string::npos)
        << result.output;
}

} // namespace
} // namespace golaunch::test
