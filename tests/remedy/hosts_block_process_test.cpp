// The hosts editor run as a separate process (tests/helpers/hosts_writer_main.cpp): killed with
// SIGKILL at random points, and refused the right to write in three real ways.
#include "remedy/hosts_block.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <cmath>

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

// Runs argv to completion (60 s at most: only a hang, as an ASan run with its fsyncs on a busy
// disk can take seconds) with stdout and stderr captured.
Run run(const std::vector<std::string>& argv, const test::TempDir& scratch) {
    const auto log = scratch.path() / "run.log";
    test::ChildProcess child(argv, log.string());
    const auto status = child.wait_for(60s);
    Run result;
    result.output = read_file(log);
    if (status && WIFEXITED(*status)) {
        result.exit_code = WEXITSTATUS(*status);
    }
    return result;
}

// A large hosts file (ad blockers ship 100k-line ones; 40k lines, 1.2 MB, keep every run short
// under ASan while the write still takes a few ms): built once.
const std::string& big_hosts_file() {
    static const std::string text = [] {
        std::string out = "# a large hosts file (ad blockers ship 100k-line ones)\r\n"
                          "127.0.0.1 localhost\r\n";
        for (std::size_t i = 0; i < 40'000; ++i) {
            out += "0.0.0.0\tblocked" + std::to_string(i) + ".ads.example\r\n";
        }
        return out;
    }();
    return text;
}

std::string address_of(int variant) {
    return variant == 0 ? "127.0.0.1" : "127.0.0.2";
}

std::vector<std::string> writer_argv(const std::filesystem::path& hosts, int variant) {
    return {writer(), hosts.string(), "shop", "api.shop.test=" + address_of(variant),
            "web.shop.test=" + address_of(variant)};
}

std::string expected_after(const std::string& content, int variant) {
    const std::string address = address_of(variant);
    return plan_hosts_block(content, "shop",
                            {{"api.shop.test", address, {}}, {"web.shop.test", address, {}}}, "x")
        .content;
}

using Micros = std::chrono::microseconds;

Micros since(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration_cast<Micros>(std::chrono::steady_clock::now() - start);
}

ino_t inode_of(const std::filesystem::path& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 ? info.st_ino : 0;
}

// One complete run of the writer as seen from outside, from its start: when its temp file
// appeared, when the hosts file was replaced (a new inode), when it exited.
struct RunTiming {
    Micros temp{-1};
    Micros replaced{-1};
    Micros exited{-1};
    int exit_code = -1;
};

RunTiming watch_complete_run(const std::vector<std::string>& argv,
                             const std::filesystem::path& hosts, const std::filesystem::path& temp,
                             const test::TempDir& scratch) {
    const ino_t before = inode_of(hosts);
    RunTiming timing;
    const auto start = std::chrono::steady_clock::now();
    test::ChildProcess child(argv, (scratch.path() / "watch.log").string());
    while (since(start) < 60s) {
        const Micros now = since(start);
        // Whether it has exited first, then the files: once it has, they show its last state
        // (looked at the other way round, a pause between the two could miss the rename).
        const auto status = child.wait_for(0ms);
        if (timing.temp.count() < 0 && std::filesystem::exists(temp)) {
            timing.temp = now;
        }
        if (timing.replaced.count() < 0 && inode_of(hosts) != before) {
            timing.replaced = now;
        }
        if (status) {
            timing.exited = now;
            timing.exit_code = WIFEXITED(*status) ? WEXITSTATUS(*status) : -1;
            break;
        }
        ::usleep(100);
    }
    // Both seen between two polls: the window is shorter than a poll.
    if (timing.temp.count() < 0) {
        timing.temp = timing.replaced;
    }
    return timing;
}

// Where kills land: before the temp file exists (the old file, nothing staged), between the
// temp file and the rename (the old file and a half-done temp file), or after the rename.
enum class Landed { before_write, mid_write, after_rename };

// Kill delays from measured timing: the first two are the sure outcomes (at once, and well after
// a complete run); the rest bisect towards the write window from both sides, using where each
// kill landed, and once inside spread over it. A fixed calibration alone would miss a window of a
// few ms: runs jitter, and the first run (which also writes the backup) is slower.
class KillPoints {
  public:
    explicit KillPoints(Micros complete_run) : m_after(complete_run * 3 / 2), m_high(m_after) {}

    Micros next(int round) {
        if (round == 0) {
            return Micros(0);
        }
        if (round == 1) {
            return m_after;
        }
        // Golden-ratio steps spread the points over [low, high] once it straddles the window.
        m_spread = std::fmod(m_spread + 0.618034, 1.0);
        const double fraction = m_bisecting ? 0.5 : m_spread;
        return m_low +
               Micros(static_cast<long>(static_cast<double>((m_high - m_low).count()) * fraction));
    }

    void landed(Micros delay, Landed where) {
        if (where == Landed::before_write && delay > m_low && delay < m_high) {
            m_low = delay;
        } else if (where == Landed::after_rename && delay < m_high && delay > m_low) {
            m_high = delay;
        } else if (where == Landed::mid_write) {
            m_bisecting = false;
        }
    }

  private:
    Micros m_after;
    Micros m_low{0};
    Micros m_high;
    bool m_bisecting = true;
    double m_spread = 0.5;
};

TEST(HostsBlockProcess, KillNineAtMeasuredPointsLeavesTheOldOrTheNewFile) {
    test::TempDir dir;
    test::TempDir scratch;
    const auto hosts = dir.write("hosts", big_hosts_file());
    const auto temp = dir.path() / ".hosts.golaunch.tmp";

    // The three contents the file may hold: as it was, then with the block for either address.
    const std::string with_b = expected_after(big_hosts_file(), 1);
    const std::string with_a = expected_after(with_b, 0);
    ASSERT_TRUE(expected_after(with_a, 1) == with_b);

    // The first complete run also writes the backup; the second, watched, is a typical one.
    ASSERT_EQ(run(writer_argv(hosts, 1), scratch).exit_code, 0);
    ASSERT_TRUE(read_file(hosts) == with_b);
    const RunTiming timing = watch_complete_run(writer_argv(hosts, 0), hosts, temp, scratch);
    ASSERT_EQ(timing.exit_code, 0);
    ASSERT_GE(timing.replaced.count(), 0) << "the writer never replaced the file";
    ASSERT_TRUE(read_file(hosts) == with_a);

    // Bounded in rounds and in time (under ASan every run is several times slower); the first
    // two rounds, the sure outcomes, always run.
    const auto started = std::chrono::steady_clock::now();
    constexpr int k_rounds = 16;
    constexpr auto k_budget = 12s;
    KillPoints points(timing.exited);
    int kept_old = 0;
    int got_new = 0;
    int mid_write = 0;
    int runs = 0;
    for (; runs < k_rounds && (runs < 2 || since(started) < k_budget); ++runs) {
        std::filesystem::remove(temp); // so the count below is exact
        const auto before = read_file(hosts);
        // Flip the block's addresses from whatever the last run left.
        ASSERT_TRUE(before == with_a || before == with_b) << "run " << runs;
        const int variant = before == with_a ? 1 : 0;
        const std::string& after = variant == 1 ? with_b : with_a;
        Micros delay = points.next(runs);
        const ino_t old_inode = inode_of(hosts);
        const auto spawned = std::chrono::steady_clock::now();
        test::ChildProcess child(writer_argv(hosts, variant),
                                 (scratch.path() / "kill.log").string());
        if (runs == 1) {
            // The sure "after": killed once the rename is seen, not at a time measured on an
            // earlier run, which a slower run (fsync on a busy disk) can overrun; every round
            // after it would then bisect below the rename.
            ASSERT_TRUE(test::eventually([&] { return inode_of(hosts) != old_inode; }, 60s))
                << "run 1 never replaced the file";
            delay = since(spawned);
        } else {
            ::usleep(static_cast<useconds_t>(delay.count()));
        }
        child.signal(SIGKILL);
        ASSERT_TRUE(child.wait_for(10s).has_value()) << "run " << runs;
        ASSERT_TRUE(std::filesystem::exists(hosts)) << "run " << runs << ": the file is gone";
        const auto now = read_file(hosts);
        const bool staged = std::filesystem::exists(temp);
        if (now == before) {
            ++kept_old;
            mid_write += staged ? 1 : 0; // killed between writing the temp file and renaming it
            points.landed(delay, staged ? Landed::mid_write : Landed::before_write);
        } else if (now == after) {
            ++got_new;
            points.landed(delay, Landed::after_rename);
        } else {
            FAIL() << "run " << runs << " (kill at " << delay.count()
                   << " us): neither the old nor the new content (" << now.size() << " bytes, old "
                   << before.size() << ", new " << after.size() << ")";
        }
    }
    std::cout << "[          ] one run: temp file at " << timing.temp.count() / 1000
              << " ms, replaced at " << timing.replaced.count() / 1000 << " ms, exit at "
              << timing.exited.count() / 1000 << " ms; " << runs << " runs killed: " << kept_old
              << " left the old file (" << mid_write << " of them with a half-done temp file), "
              << got_new << " the new one\n";
    EXPECT_EQ(kept_old + got_new, runs);
    // Killed at once and after a complete run: both outcomes occur.
    EXPECT_GT(kept_old, 0);
    EXPECT_GT(got_new, 0);
    // The backup still holds the file as it was before the very first change.
    EXPECT_TRUE(read_file(hosts.string() + ".golaunch.bak") == big_hosts_file());
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
