// The hosts editor run as a separate process (tests/helpers/hosts_writer_main.cpp): killed with
// SIGKILL at random points, and refused the right to write in three real ways.
#include "remedy/hosts_block.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <random>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::read_file;

std::string writer() {
    return GOLAUNCH_HOSTS_WRITER;
}

struct Run {
    int exit_code = -1; // -1: killed or timed out
    std::string output;
};

// Runs argv to completion (10 s at most) with stdout and stderr captured.
Run run(const std::vector<std::string>& argv, const test::TempDir& scratch) {
    const auto log = scratch.path() / "run.log";
    test::ChildProcess child(argv, log.string());
    const auto status = child.wait_for(10s);
    Run result;
    result.output = read_file(log);
    if (status && WIFEXITED(*status)) {
        result.exit_code = WEXITSTATUS(*status);
    }
    return result;
}

std::string big_hosts_file(std::size_t lines) {
    std::string text = "# a large hosts file (ad blockers ship 100k-line ones)\r\n"
                       "127.0.0.1 localhost\r\n";
    for (std::size_t i = 0; i < lines; ++i) {
        text += "0.0.0.0\tblocked" + std::to_string(i) + ".ads.example\r\n";
    }
    return text;
}

std::vector<std::string> writer_argv(const std::filesystem::path& hosts, int variant) {
    const std::string address = variant % 2 == 0 ? "127.0.0.1" : "127.0.0.2";
    return {writer(), hosts.string(), "shop", "api.shop.test=" + address,
            "web.shop.test=" + address};
}

std::string expected_after(const std::string& content, int variant) {
    const std::string address = variant % 2 == 0 ? "127.0.0.1" : "127.0.0.2";
    return plan_hosts_block(content, "shop",
                            {{"api.shop.test", address, {}}, {"web.shop.test", address, {}}}, "x")
        .content;
}

TEST(HostsBlockProcess, KillNineAtRandomPointsLeavesTheOldOrTheNewFile) {
    test::TempDir dir;
    test::TempDir scratch;
    const auto hosts = dir.write("hosts", big_hosts_file(120'000));

    // Calibrate: how long one complete run takes on this machine.
    const auto start = std::chrono::steady_clock::now();
    ASSERT_EQ(run(writer_argv(hosts, 1), scratch).exit_code, 0);
    const auto full = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::steady_clock::now() - start);
    ASSERT_TRUE(read_file(hosts) == expected_after(big_hosts_file(120'000), 1));

    std::mt19937 random(12345);
    std::uniform_int_distribution<long> delay(0, full.count() * 11 / 10);
    int kept_old = 0;
    int got_new = 0;
    int mid_write = 0;
    constexpr int k_runs = 60;
    for (int i = 0; i < k_runs; ++i) {
        std::filesystem::remove(dir.path() / ".hosts.golaunch.tmp"); // so the count below is exact
        const auto before = read_file(hosts);
        // Flip the block's addresses from whatever the last run left.
        const int variant = expected_after(before, i) == before ? i + 1 : i;
        const auto after = expected_after(before, variant);
        ASSERT_TRUE(before != after) << "run " << i;
        test::ChildProcess child(writer_argv(hosts, variant),
                                 (scratch.path() / "kill.log").string());
        ::usleep(static_cast<useconds_t>(delay(random)));
        child.signal(SIGKILL);
        ASSERT_TRUE(child.wait_for(10s).has_value()) << "run " << i;
        ASSERT_TRUE(std::filesystem::exists(hosts)) << "run " << i << ": the file is gone";
        const auto now = read_file(hosts);
        if (std::filesystem::exists(dir.path() / ".hosts.golaunch.tmp")) {
            ++mid_write; // killed between writing the temp file and renaming it
        }
        if (now == before) {
            ++kept_old;
        } else if (now == after) {
            ++got_new;
        } else {
            FAIL() << "run " << i << ": neither the old nor the new content (" << now.size()
                   << " bytes, old " << before.size() << ", new " << after.size() << ")";
        }
    }
    std::cout << "[          ] " << k_runs << " runs killed within " << full.count() / 1000
              << " ms: " << kept_old << " left the old file (" << mid_write
              << " of them with a half-done temp file), " << got_new << " the new one\n";
    EXPECT_EQ(kept_old + got_new, k_runs);
    // The delays spread over a whole run: some kills land before the rename, some after.
    EXPECT_GT(kept_old, 0);
    EXPECT_GT(got_new, 0);
    // The backup still holds the file as it was before the very first change.
    EXPECT_TRUE(read_file(hosts.string() + ".golaunch.bak") == big_hosts_file(120'000));
}

struct Refusal {
    std::string original = "127.0.0.1 localhost\n10.1.1.1 nas.lan\n";
    test::TempDir dir;
    test::TempDir scratch;
    std::filesystem::path hosts = dir.write("hosts", original);
    struct stat before = stat_of(hosts);

    static struct stat stat_of(const std::filesystem::path& path) {
        struct stat info {};
        ::stat(path.c_str(), &info);
        return info;
    }

    void expect_refused_and_intact(const Run& result) const {
        EXPECT_EQ(result.exit_code, 3) << result.output;
        EXPECT_NE(result.output.find(hosts.string()), std::string::npos) << result.output;
        EXPECT_NE(result.output.find("sudo golaunch fix --hosts-file " + hosts.string()),
                  std::string::npos)
            << result.output;
        EXPECT_EQ(read_file(hosts), original);
        const auto after = stat_of(hosts);
        EXPECT_EQ(after.st_ino, before.st_ino);
        EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
        EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
        std::size_t files = 0;
        for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) {
            ++files;
        }
        EXPECT_EQ(files, 1u) << "no backup, no temp file left behind";
    }
};

TEST(HostsBlockProcess, RefusesOnAReadOnlyMount) {
    Refusal refusal;
    const auto d = refusal.dir.path().string();
    // A private mount namespace where the directory is a read-only bind mount of itself.
    const auto probe = run({"unshare", "-m", "sh", "-c",
                            "mount --make-rprivate / && mount --bind " + d + " " + d +
                                " && mount -o remount,bind,ro " + d + " && echo mounted"},
                           refusal.scratch);
    if (probe.exit_code != 0) {
        GTEST_SKIP() << "cannot make a read-only bind mount here: " << probe.output;
    }
    const auto result = run({"unshare", "-m", "sh", "-c",
                             "mount --make-rprivate / && mount --bind " + d + " " + d +
                                 " && mount -o remount,bind,ro " + d + " && exec " + writer() +
                                 " " + refusal.hosts.string() + " shop api.shop.test=127.0.0.1"},
                            refusal.scratch);
    EXPECT_NE(result.output.find("Read-only file system"), std::string::npos) << result.output;
    refusal.expect_refused_and_intact(result);
}

TEST(HostsBlockProcess, RefusesWhenNotPermitted) {
    Refusal refusal;
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to run the writer as nobody";
    }
    ASSERT_EQ(::chmod(refusal.dir.path().c_str(), 0755), 0); // root's, not writable by nobody
    const auto probe = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "true"},
                           refusal.scratch);
    if (probe.exit_code != 0) {
        GTEST_SKIP() << "setpriv cannot drop to nobody here: " << probe.output;
    }
    const auto result = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             writer(), refusal.hosts.string(), "shop", "api.shop.test=127.0.0.1"},
                            refusal.scratch);
    EXPECT_NE(result.output.find("Permission denied"), std::string::npos) << result.output;
    refusal.expect_refused_and_intact(result);
}

TEST(HostsBlockProcess, RefusesAnImmutableFile) {
    Refusal refusal;
    if (run({"chattr", "+i", refusal.hosts.string()}, refusal.scratch).exit_code != 0) {
        GTEST_SKIP() << "chattr +i is not supported on this file system";
    }
    const auto result =
        run({writer(), refusal.hosts.string(), "shop", "api.shop.test=127.0.0.1"}, refusal.scratch);
    run({"chattr", "-i", refusal.hosts.string()}, refusal.scratch);
    refusal.expect_refused_and_intact(result);
}

TEST(HostsBlockProcess, ABindMountedFileIsRewrittenInPlace) {
    test::TempDir dir;
    test::TempDir scratch;
    const std::string original = "127.0.0.1 localhost\n";
    const auto source = dir.write("source-hosts", original); // what Docker mounts
    const auto target = dir.write("hosts", "not used\n");
    const auto result =
        run({"unshare", "-m", "sh", "-c",
             "mount --make-rprivate / && mount --bind " + source.string() + " " + target.string() +
                 " && exec " + writer() + " " + target.string() + " shop api.shop.test=127.0.0.1"},
            scratch);
    if (result.output.find("mount") != std::string::npos && result.exit_code != 0) {
        GTEST_SKIP() << "cannot bind-mount a file here: " << result.output;
    }
    EXPECT_EQ(result.exit_code, 0) << result.output;
    EXPECT_NE(result.output.find("changed in-place"), std::string::npos) << result.output;
    EXPECT_EQ(read_file(source), original + "# BEGIN golaunch shop\n127.0.0.1 api.shop.test\n"
                                            "# END golaunch shop\n");
    EXPECT_EQ(read_file(target), "not used\n") << "outside the namespace, the mount point";
    EXPECT_EQ(read_file(dir.path() / "hosts.golaunch.bak"), original);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / ".hosts.golaunch.tmp"))
        << "the recovery copy is removed once the rewrite is on disk";
}

} // namespace
} // namespace golaunch
