// grants_net_bind_service on real files: setcap on a copy of a fixture (root and setcap
// needed), and the NoNewPrivs flag read_process_info reports.
#include "platform/file_capabilities.hpp"
#include "platform/process_info.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <sys/prctl.h>
#include <unistd.h>

#include <cstdlib>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

TEST(FileCapabilities, SetcapPlusEpGrantsTheBindOthersDoNot) {
    if (::geteuid() != 0 || ::access("/usr/sbin/setcap", X_OK) != 0) {
        GTEST_SKIP() << "needs root and setcap";
    }
    test::TempDir dir;
    const auto copy = dir.path() / "binder";
    std::filesystem::copy_file(test::fixture("binder"), copy);
    EXPECT_FALSE(grants_net_bind_service(copy));
    const auto setcap = [&](const std::string& caps) {
        return std::system(("/usr/sbin/setcap " + caps + " " + copy.string()).c_str()) == 0;
    };
    ASSERT_TRUE(setcap("cap_net_bind_service=+p"));
    EXPECT_FALSE(grants_net_bind_service(copy)) << "permitted but not effective: not raised";
    ASSERT_TRUE(setcap("cap_net_raw=+ep"));
    EXPECT_FALSE(grants_net_bind_service(copy));
    ASSERT_TRUE(setcap("cap_net_bind_service,cap_net_raw=+ep"));
    EXPECT_TRUE(grants_net_bind_service(copy));
    EXPECT_FALSE(grants_net_bind_service(dir.path() / "missing"));
}

TEST(FileCapabilities, NoNewPrivsOfAProcessIsRead) {
    test::TempDir dir;
    const auto pidfile = dir.path() / "pid";
    // setpriv --no-new-privs sets the flag, then execs a shell that reports and waits.
    if (::access("/usr/bin/setpriv", X_OK) != 0) {
        GTEST_SKIP() << "setpriv is not installed";
    }
    test::ChildProcess child({"/usr/bin/setpriv", "--no-new-privs", "/bin/sh", "-c",
                              "echo $$ > " + pidfile.string() + "; exec sleep 30"});
    const pid_t pid = test::wait_for_pidfile(pidfile, 10s);
    ASSERT_GT(pid, 0);
    const auto info = read_process_info(pid);
    ASSERT_TRUE(info);
    EXPECT_TRUE(info->no_new_privs);
}

} // namespace
} // namespace golaunch
