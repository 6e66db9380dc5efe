// A failure that will happen again the same way is not restarted again and again: a service
// whose bind() of a declared port is refused (EACCES/EPERM: a privileged port without
// CAP_NET_BIND_SERVICE, a security policy) and that then exits before it was ready gives up at
// once, saying why, instead of burning its max_restarts. Root starts the service as nobody
// (setpriv), on a free privileged port, under the bind monitor.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

TEST(DeterministicFailure, RefusedPrivilegedBindIsNotRestartedAndSaysItWouldFailTheSameWay) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to start a service as nobody";
    }
    if (::access("/usr/bin/setpriv", X_OK) != 0) {
        GTEST_SKIP() << "setpriv (util-linux) is not installed";
    }
    std::ifstream start_file("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    int unprivileged_start = 1024;
    start_file >> unprivileged_start;
    const auto port = free_privileged_port();
    if (port == 0 || port >= unprivileged_start) {
        GTEST_SKIP() << "no free port below ip_unprivileged_port_start=" << unprivileged_start;
    }
    TempDir dir;
    const auto manifest = dir.write(
        "app.toml",
        "version = 1\nname = \"refused\"\n[services.web]\ncmd = [\"/usr/bin/setpriv\", "
        "\"--reuid=65534\", \"--regid=65534\", \"--clear-groups\", " +
            toml_quoted(fixture("binder")) + ", \"-addr\", \"127.0.0.1:" + std::to_string(port) +
            "\", \"-exit-on-error\"]\nports = { http = " + std::to_string(port) +
            " }\nmax_restarts = 5\nbackoff = { initial = \"50ms\", max = \"100ms\" }\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network", "--monitor", "auto",
                          "--ignore-preflight"});
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1) << run.output();
    int restarts = 0;
    for (const auto& event : run.events()) {
        restarts += event.value("event", "") == "restarting" ? 1 : 0;
    }
    EXPECT_EQ(restarts, 0) << "a refused bind fails the same way every time: " << run.output();
    const auto gave_up = run.wait_for_event("gave_up", "web", 0ms);
    ASSERT_TRUE(gave_up) << run.output();
    const std::string reason = (*gave_up)["reason"];
    EXPECT_NE(reason.find("EACCES"), std::string::npos) << reason;
    EXPECT_EQ((*gave_up)["deterministic"], true) << run.output();

    GolaunchRun text(dir, {"run", manifest.string(), "--no-network", "--ignore-preflight"});
    ASSERT_TRUE(text.wait_for_exit(20s)) << text.output();
    EXPECT_NE(text.output().find("not restarted: it would fail the same way"), std::string::npos)
        << text.output();
    EXPECT_EQ(text.output().find("restarting in"), std::string::npos) << text.output();
}

} // namespace
} // namespace golaunch::test
