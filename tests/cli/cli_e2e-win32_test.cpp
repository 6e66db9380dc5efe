// golaunch.exe end to end, under Wine in CI (and on real Windows): the real binary runs a real
// GOOS=windows Go server on loopback. A bare program name next to the manifest is found, the
// log quotes commands as cmd.exe does, `who` names (or honestly cannot name) a listener's owner,
// `fix --dry-run` changes nothing, and TerminateProcess of golaunch.exe leaves no service behind.
#include "support/golaunch_run.hpp"
#include "support/portproxy_rule-win32.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <windows.h>

#include <csignal>
#include <filesystem>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

// A project dir whose path holds a space, with the httpserver fixture copied next to the
// manifest and named by its bare name in cmd.
struct Project {
    explicit Project(std::uint16_t port) : dir(), root(dir.path() / "my app") {
        std::filesystem::create_directories(root);
        std::filesystem::copy_file(fixture("httpserver"), root / "httpserver.exe");
        manifest = root / "golaunch.toml";
        const std::string text = "version = 1\nname = \"wine-e2e\"\n[services.web]\n"
                                 "cmd = [\"httpserver.exe\", \"-name\", \"web\"]\n"
                                 "ports = { http = " +
                                 std::to_string(port) + " }\n";
        dir.write("my app/golaunch.toml", text);
    }
    TempDir dir;
    std::filesystem::path root;
    std::filesystem::path manifest;
};

TEST(CliWin32, RunFindsTheProgramNextToTheManifestAndIsReady) {
    const auto port = pick_free_port();
    const Project project(port);
    GolaunchRun run(project.dir, {"run", project.manifest.string(), "--stop-when-ready"});
    const auto code = run.wait_for_exit(60s);
    ASSERT_TRUE(code.has_value()) << run.output();
    EXPECT_EQ(*code, 0) << run.output();
    const auto log = run.output();
    EXPECT_NE(log.find("ready in"), std::string::npos) << log;
    // The started line quotes the path with a space the Windows way, never 'Z:\...'.
    EXPECT_NE(log.find("\\my app\\httpserver.exe\" -name web"), std::string::npos) << log;
    EXPECT_EQ(log.find("'"), std::string::npos) << log;
    EXPECT_EQ(log.find("sudo"), std::string::npos) << log;
}

// `shell = "..."` runs through cmd.exe, which starts the server: the hook follows cmd's child,
// so the listen is seen at the call, with the server's own pid, not cmd.exe's.
TEST(CliWin32, AShellServiceIsRunThroughCmdAndItsServersListenIsSeen) {
    const auto port = pick_free_port();
    const TempDir dir;
    std::filesystem::copy_file(fixture("binder"), dir.path() / "binder.exe");
    const auto manifest =
        dir.write("golaunch.toml", "version = 1\nname = \"wine-shell\"\n[services.web]\n"
                                   "shell = \"binder.exe -addr 127.0.0.1:" +
                                       std::to_string(port) +
                                       "\"\nports = { http = " + std::to_string(port) + " }\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--stop-when-ready"});
    const auto code = run.wait_for_exit(60s);
    ASSERT_TRUE(code.has_value()) << run.output();
    EXPECT_EQ(*code, 0) << run.output();
    const auto started = run.wait_for_event("started", "web", 1s);
    ASSERT_TRUE(started) << run.output();
    EXPECT_NE((*started)["command"][0].get<std::string>().find("cmd.exe"), std::string::npos)
        << run.output();
    bool seen = false;
    for (const auto& event : run.events()) {
        if (event.value("event", "") == "bind" && event.value("call", "") == "listen" &&
            event.value("port", 0) == port) {
            seen = true;
            EXPECT_NE(event["pid"], (*started)["pid"]) << "cmd.exe's child, not cmd.exe";
        }
    }
    EXPECT_TRUE(seen) << "no listen event for the server cmd.exe started:\n" << run.output();
}

TEST(CliWin32, WhoNamesTheListenersOwnerOrSaysItWasNotReported) {
    const HeldListener held(0);
    ASSERT_TRUE(held.ok());
    const TempDir dir;
    GolaunchRun who(dir, {"who", std::to_string(held.port())});
    const auto code = who.wait_for_exit(60s);
    ASSERT_TRUE(code.has_value()) << who.output();
    EXPECT_EQ(*code, 0) << who.output();
    const auto text = who.output();
    EXPECT_NE(text.find(":" + std::to_string(held.port())), std::string::npos) << text;
    if (running_under_wine()) { // Wine's socket table gives owner pid 0
        EXPECT_NE(text.find("owner not reported"), std::string::npos) << text;
    } else {
        EXPECT_NE(text.find("pid " + std::to_string(::GetCurrentProcessId())), std::string::npos)
            << text;
    }
    EXPECT_EQ(text.find("no process"), std::string::npos) << text;
}

// A portproxy rule on the service's port (the IP Helper service listens there on Windows):
// `check` names it, read from the registry as netsh writes it.
TEST(CliWin32, CheckNamesAPortproxyRuleOnTheServicesPort) {
    const auto port = pick_free_port();
    const Project project(port);
    const TestPortProxyRule rule(L"127.0.0.1/" + std::to_wstring(port), L"127.0.0.2/8080");
    if (rule.error() == ERROR_ACCESS_DENIED) {
        GTEST_SKIP() << "writing HKLM needs Administrator on Windows";
    }
    ASSERT_EQ(rule.error(), ERROR_SUCCESS);
    GolaunchRun check(project.dir, {"check", project.manifest.string(), "--no-network"});
    const auto code = check.wait_for_exit(60s);
    ASSERT_TRUE(code.has_value()) << check.output();
    EXPECT_NE(*code, 0) << check.output();
    const auto text = check.output();
    EXPECT_NE(text.find("port-portproxy"), std::string::npos) << text;
    EXPECT_NE(text.find("127.0.0.2"), std::string::npos) << text;
    for (const char* linux_word : {"sudo", "as root", "nftables", "apt "}) {
        EXPECT_EQ(text.find(linux_word), std::string::npos) << linux_word << " in\n" << text;
    }
}

TEST(CliWin32, FixDryRunOnABusyPortChangesNothing) {
    const HeldListener held(0);
    ASSERT_TRUE(held.ok());
    const Project project(held.port());
    const auto before = read_file(project.manifest);
    GolaunchRun fix(project.dir, {"fix", project.manifest.string(), "--dry-run", "--no-network"});
    const auto code = fix.wait_for_exit(60s);
    ASSERT_TRUE(code.has_value()) << fix.output();
    EXPECT_NE(fix.output().find(std::to_string(held.port())), std::string::npos) << fix.output();
    EXPECT_EQ(read_file(project.manifest), before);
    EXPECT_FALSE(std::filesystem::exists(project.root / "ports.toml")) << fix.output();
    EXPECT_EQ(fix.output().find("sudo"), std::string::npos) << fix.output();
}

// `run --dashboard` on Windows: the page and its API over TCP on 127.0.0.1, behind the token
// and the Host check, whether or not the control socket could listen (Wine has no AF_UNIX;
// Windows 10 1803 and later have it).
TEST(CliWin32, TheDashboardServesTheRunBehindItsToken) {
    const auto port = pick_free_port();
    const Project project(port);
    GolaunchRun run(project.dir, {"run", project.manifest.string(), "--json", "--dashboard"});
    ASSERT_TRUE(run.wait_for_event("ready", "web", 60s)) << run.output();
    const auto dashboard = run.wait_for_event("dashboard", "", 10s);
    ASSERT_TRUE(dashboard) << run.output();
    const std::string url = (*dashboard)["url"];
    ASSERT_EQ(url.rfind("http://127.0.0.1:", 0), 0U) << url;
    const auto page = dashboard_get(url, "/", true);
    EXPECT_EQ(page.rfind("HTTP/1.1 200", 0), 0U) << page.substr(0, 300);
    EXPECT_NE(page.find("<html"), std::string::npos) << page.substr(0, 300);
    const auto services = dashboard_get(url, "/services", true);
    EXPECT_NE(services.find("\"name\":\"web\""), std::string::npos) << services;
    EXPECT_NE(services.find("\"state\":\"ready\""), std::string::npos) << services;
    EXPECT_EQ(dashboard_get(url, "/services", false).rfind("HTTP/1.1 403", 0), 0U);
    const auto web_port = static_cast<std::uint16_t>(std::stoi(url.substr(17)));
    const auto token = url.substr(url.find("token="));
    const auto foreign =
        http_exchange(web_port, "GET /services?" + token + " HTTP/1.1\r\nHost: rebound.example:" +
                                    std::to_string(web_port) + "\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(foreign.rfind("HTTP/1.1 403", 0), 0U) << foreign;
    run.signal(SIGINT);
    EXPECT_TRUE(run.wait_for_exit(30s).has_value()) << run.output();
}

TEST(CliWin32, TerminatingGolaunchLeavesNoServiceBehind) {
    const auto port = pick_free_port();
    const Project project(port);
    GolaunchRun run(project.dir, {"run", project.manifest.string(), "--json"});
    const auto started = run.wait_for_event("started", "web", 60s);
    ASSERT_TRUE(started) << run.output();
    ASSERT_TRUE(run.wait_for_event("ready", "web", 60s)) << run.output();
    const auto service = (*started)["pid"].get<pid_t>();
    ASSERT_TRUE(pid_running(service));
    // TerminateProcess of golaunch.exe alone, as Task Manager's "End task" does: no handler
    // runs, and only its job (kill on close) can take the service with it.
    const HANDLE golaunch = ::OpenProcess(PROCESS_TERMINATE, FALSE, static_cast<DWORD>(run.pid()));
    ASSERT_NE(golaunch, nullptr);
    ASSERT_NE(::TerminateProcess(golaunch, 1), 0);
    ::CloseHandle(golaunch);
    ASSERT_TRUE(run.wait_for_exit(30s).has_value());
    EXPECT_TRUE(eventually([&] { return !pid_running(service); }, 20s))
        << "service pid " << service << " outlived golaunch.exe\n"
        << run.output();
    EXPECT_TRUE(eventually([&] { return !can_connect(port); }, 10s));
}

} // namespace
} // namespace golaunch::test
