// cgroup v2 containment on real processes, as root: a setsid'd and a double-forked child stay
// in their service group, cgroup.kill ends them all, inotify says so, leftovers of a dead run
// are found and cleaned while other projects' and live runs are left alone. Skipped, with the
// probe's reason, where no writable cgroup2 hierarchy exists.
#include "platform/cgroup.hpp"

#include "platform/process_info.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <set>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_escapes = "setsid sleep 300 & (sleep 300 &) ; exec sleep 300";

// Unique per test process: ctest runs tests in parallel processes.
std::string test_project_id() {
    char text[32];
    std::snprintf(text, sizeof text, "t%x%lx", static_cast<unsigned>(::getpid()),
                  static_cast<unsigned long>(std::time(nullptr)) & 0xfffffUL);
    return text;
}

// k_escapes has settled: its three sleeps and nothing else in the group. While the subshell of
// `(sleep 300 &)` still lives, the group holds three processes for a moment with a fourth to
// come (seen once in CI: 4 signalled).
bool only_the_escapes_sleeps(const ServiceCgroup& service) {
    const auto pids = service.pids();
    return pids.size() == 3 && std::all_of(pids.begin(), pids.end(), [](int pid) {
               const auto info = read_process_info(pid);
               return info && info->name == "sleep";
           });
}

bool exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

bool readable_within(int fd, std::chrono::milliseconds timeout) {
    pollfd ready{fd, POLLIN, 0};
    return ::poll(&ready, 1, static_cast<int>(timeout.count())) == 1;
}

// A process identity that survives pid reuse: pid + start time.
struct Identity {
    int pid;
    std::uint64_t start_ticks;
};

bool still_running(const Identity& who) {
    const auto info = read_process_info(who.pid);
    return info && info->start_ticks == who.start_ticks && info->state != 'Z';
}

class Cgroup : public ::testing::Test {
  protected:
    void SetUp() override {
        m_support = probe_cgroups();
        if (!m_support.usable) {
            GTEST_SKIP() << "no usable cgroup2 hierarchy: " << m_support.reason;
        }
        m_project = test_project_id();
        m_run = std::make_unique<RunCgroup>(m_support, m_project);
    }

    // Kills what the test started even when it failed half-way: every group made, then the
    // children (reaped), then the directories.
    void TearDown() override {
        for (const auto& dir : m_manual_dirs) {
            clean_leftover_run({dir, 0, {}}, 0ms, m_support.has_kill);
        }
        if (m_run) {
            m_run->kill_all();
            // Straight to the kernel too, in case kill_all is what failed.
            const UniqueFd kill(::open((m_run->dir() + "/cgroup.kill").c_str(), O_WRONLY));
            [[maybe_unused]] const ssize_t n = kill.valid() ? ::write(kill.get(), "1", 1) : 0;
        }
        for (const int pid : m_children) {
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
        }
        m_run.reset();
    }

    // fork; the child joins the group through `procs_fd` before exec.
    int spawn(int procs_fd, const std::vector<std::string>& argv) {
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        const pid_t pid = ::fork();
        if (pid == 0) {
            if (!join_cgroup_in_child(procs_fd)) {
                ::_exit(126);
            }
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        if (pid > 0) {
            m_children.push_back(pid);
        }
        return pid;
    }

    int spawn(const ServiceCgroup& group, const std::vector<std::string>& argv) {
        return spawn(group.procs_fd(), argv);
    }

    // The wait status of a child of ours, once it ended (-1 on timeout).
    int reap(int pid, std::chrono::milliseconds timeout = 10s) {
        int status = -1;
        const bool ended =
            test::eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout);
        if (ended) {
            std::erase(m_children, pid);
            return status;
        }
        return -1;
    }

    // A run dir made by hand, as a dead golaunch (or another project) would have left it.
    std::string make_run_dir(const std::string& project, int pid) {
        const std::string dir =
            m_support.own_dir + "/golaunch-" + project + "-" + std::to_string(pid);
        ::mkdir(dir.c_str(), 0755);
        m_manual_dirs.push_back(dir);
        return dir;
    }

    // A sleeper in dir/svc-NAME (made here).
    int sleeper_in(const std::string& dir, const std::string& service,
                   const std::vector<std::string>& argv = {"sleep", "300"}) {
        const std::string group = dir + "/svc-" + service;
        ::mkdir(group.c_str(), 0755);
        const UniqueFd procs(::open((group + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
        const int pid = procs.valid() ? spawn(procs.get(), argv) : -1;
        if (pid <= 0) {
            return -1;
        }
        // The child joins after the fork: wait until the group lists it (-1 if it never does).
        const bool joined = test::eventually(
            [&] {
                const auto text = "\n" + test::read_file(group + "/cgroup.procs");
                return text.find("\n" + std::to_string(pid) + "\n") != std::string::npos;
            },
            10s);
        return joined ? pid : -1;
    }

    CgroupSupport m_support;
    std::string m_project;
    std::unique_ptr<RunCgroup> m_run;
    std::vector<int> m_children;
    std::vector<std::string> m_manual_dirs;
};

TEST(CgroupText, FindsTheCgroup2MountHoldingOurGroup) {
    const std::string hybrid =
        "25 1 0:23 / /sys/fs/cgroup rw - tmpfs tmpfs ro,mode=755\n"
        "30 25 0:26 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n"
        "40 25 0:37 / /sys/fs/cgroup/unified rw,relatime shared:9 - cgroup2 cgroup2 rw\n";
    EXPECT_EQ(cgroup2_dir_from_mountinfo(hybrid, "/"), "/sys/fs/cgroup/unified");
    EXPECT_EQ(cgroup2_dir_from_mountinfo(hybrid, "/a/b"), "/sys/fs/cgroup/unified/a/b");
    std::string mount;
    const std::string nested = "50 1 0:40 /user.slice /mnt/my\\040cg rw - cgroup2 none rw\n";
    EXPECT_EQ(cgroup2_dir_from_mountinfo(nested, "/user.slice/app.scope", &mount),
              "/mnt/my cg/app.scope");
    EXPECT_EQ(mount, "/mnt/my cg");
    EXPECT_EQ(cgroup2_dir_from_mountinfo(nested, "/system.slice"), std::nullopt);
    EXPECT_EQ(cgroup2_dir_from_mountinfo("30 25 0:26 / /x rw - cgroup cgroup rw\n", "/"),
              std::nullopt);

    EXPECT_EQ(cgroup2_path_from_proc_cgroup("4:memory:/x\n0::/user.slice/s.scope\n"),
              "/user.slice/s.scope");
    EXPECT_EQ(cgroup2_path_from_proc_cgroup("4:memory:/x\n"), std::nullopt);

    EXPECT_EQ(sanitize_cgroup_name("web/api:1 é"), "web_api_1___");
    EXPECT_EQ(sanitize_cgroup_name("ok-name_1.2"), "ok-name_1.2");
    EXPECT_EQ(sanitize_cgroup_name(std::string(300, 'a')).size(), 200u);
}

TEST(CgroupText, ARunCannotBeMadeWithoutSupportOrWithABadProjectId) {
    CgroupSupport none;
    none.reason = "no cgroup2 mount in /proc/self/mountinfo";
    try {
        RunCgroup run(none, "abc");
        ADD_FAILURE() << "made a run without cgroup support";
    } catch (const Error& error) {
        EXPECT_STREQ(
            error.what(),
            "cannot contain services in cgroups: no cgroup2 mount in /proc/self/mountinfo");
    }
    CgroupSupport fake;
    fake.usable = true;
    fake.own_dir = "/nonexistent";
    try {
        RunCgroup run(fake, "a-b");
        ADD_FAILURE() << "accepted a project id with a dash";
    } catch (const Error& error) {
        EXPECT_STREQ(error.what(), "invalid cgroup project id 'a-b' (1 to 64 letters and digits)");
    }
}

TEST_F(Cgroup, ARunDirLeftByAnEarlierProcessWithOurPidIsCleanedFirst) {
    m_run.reset(); // its dir is gone; make it again by hand, as a dead golaunch left it
    const std::string stale = make_run_dir(m_project, ::getpid());
    const int sleeper = sleeper_in(stale, "web");
    ASSERT_GT(sleeper, 0) << "the sleeper never joined its group";
    m_run = std::make_unique<RunCgroup>(m_support, m_project);
    ASSERT_TRUE(m_run->replaced().has_value());
    ASSERT_EQ(m_run->replaced()->run.services.size(), 1u);
    EXPECT_EQ(m_run->replaced()->run.services[0].name, "web");
    EXPECT_EQ(m_run->replaced()->run.services[0].pids, std::vector<int>{sleeper});
    const int status = reap(sleeper);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
    EXPECT_TRUE(exists(m_run->dir()));
    EXPECT_FALSE(exists(m_run->dir() + "/svc-web"));
}

TEST_F(Cgroup, ProbeFindsOurGroupAndTheRunDirIsBelowIt) {
    EXPECT_TRUE(exists(m_support.own_dir + "/cgroup.procs")) << m_support.own_dir;
    EXPECT_EQ(m_run->dir(),
              m_support.own_dir + "/golaunch-" + m_project + "-" + std::to_string(::getpid()));
    EXPECT_TRUE(exists(m_run->dir()));
    auto& service = m_run->add_service("web");
    EXPECT_EQ(m_support.has_kill, exists(service.dir() + "/cgroup.kill"));
    EXPECT_FALSE(exists(m_support.own_dir + "/golaunch-probe-" + std::to_string(::getpid())));
}

TEST_F(Cgroup, ServiceNamesAreSanitizedAndKeptApart) {
    auto& spaced = m_run->add_service("a b");
    auto& plain = m_run->add_service("a_b");
    EXPECT_EQ(spaced.dir(), m_run->dir() + "/svc-a_b");
    EXPECT_EQ(plain.dir(), m_run->dir() + "/svc-a_b-2");
    EXPECT_EQ(m_run->find("a b"), &spaced);
    EXPECT_EQ(m_run->find("a_b"), &plain);
    EXPECT_EQ(m_run->find("c"), nullptr);
}

TEST_F(Cgroup, SetsidAndDoubleForkStayInTheGroupAndKillEndsThemAll) {
    auto& service = m_run->add_service("api");
    CgroupWatcher watcher;
    const int watch = watcher.add(service.events_path());
    const int child = spawn(service, {"sh", "-c", k_escapes});
    ASSERT_GT(child, 0);
    // sh execs the last sleep: three sleeps, one in a session of its own, one orphaned.
    ASSERT_TRUE(test::eventually([&] { return only_the_escapes_sleeps(service); }, 10s))
        << service.pids().size() << " processes";
    EXPECT_TRUE(service.populated());
    std::vector<Identity> members;
    int own_session = 0;
    int orphaned = 0;
    for (const int pid : service.pids()) {
        const auto info = read_process_info(pid);
        ASSERT_TRUE(info);
        members.push_back({pid, info->start_ticks});
        own_session += ::getsid(pid) == pid ? 1 : 0;
        orphaned += pid != child && info->ppid != child ? 1 : 0;
    }
    EXPECT_NE(std::find_if(members.begin(), members.end(),
                           [&](const Identity& m) { return m.pid == child; }),
              members.end());
    EXPECT_EQ(own_session, 1) << "setsid sleep left the session";
    EXPECT_EQ(orphaned, 1) << "(sleep &) was reparented";
    watcher.read_changes(); // the joins flipped "populated" to 1

    EXPECT_TRUE(service.kill());
    ASSERT_TRUE(readable_within(watcher.fd(), 10s)) << "no inotify event after the kill";
    EXPECT_EQ(watcher.read_changes(), std::vector<int>{watch});
    EXPECT_FALSE(service.populated());
    EXPECT_TRUE(service.pids().empty());
    for (const auto& member : members) {
        EXPECT_FALSE(still_running(member)) << member.pid;
    }
    const int status = reap(child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    EXPECT_TRUE(service.remove());
    EXPECT_FALSE(exists(service.dir()));
}

TEST_F(Cgroup, SignalAllReachesEveryProcess) {
    auto& service = m_run->add_service("worker");
    const int child = spawn(service, {"sh", "-c", k_escapes});
    ASSERT_TRUE(test::eventually([&] { return only_the_escapes_sleeps(service); }, 10s))
        << service.pids().size() << " processes";
    CgroupWatcher watcher;
    watcher.add(service.events_path());
    EXPECT_EQ(service.signal_all(SIGTERM), 3);
    EXPECT_TRUE(readable_within(watcher.fd(), 10s));
    EXPECT_TRUE(test::eventually([&] { return !service.populated(); }, 10s));
    const int status = reap(child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
    EXPECT_TRUE(service.remove());
}

// The kernel posts cgroup.events notifications from a work queue, and defers one that follows
// another on the same file by up to 10 ms: under load, the join of a process can be reported after
// a watch added once "populated" already read 1. So the watches are let settle before a kill, and
// the watch ids that fire are gathered until the killed group's fires, then 100 ms more.
namespace {

void settle(CgroupWatcher& watcher) {
    const auto deadline = std::chrono::steady_clock::now() + 3s;
    while (std::chrono::steady_clock::now() < deadline && readable_within(watcher.fd(), 300ms)) {
        watcher.read_changes();
    }
}

std::set<int> fired_until(CgroupWatcher& watcher, int expected) {
    std::set<int> fired;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (!fired.contains(expected) && std::chrono::steady_clock::now() < deadline &&
           readable_within(watcher.fd(), 10s)) {
        for (const int id : watcher.read_changes()) {
            fired.insert(id);
        }
    }
    while (readable_within(watcher.fd(), 100ms)) {
        for (const int id : watcher.read_changes()) {
            fired.insert(id);
        }
    }
    return fired;
}

} // namespace

TEST_F(Cgroup, WatcherReportsOnlyTheGroupThatChanged) {
    auto& first = m_run->add_service("first");
    auto& second = m_run->add_service("second");
    const int first_child = spawn(first, {"sleep", "300"});
    const int second_child = spawn(second, {"sleep", "300"});
    ASSERT_TRUE(test::eventually([&] { return first.populated() && second.populated(); }, 10s));
    CgroupWatcher watcher;
    const int first_watch = watcher.add(first.events_path());
    const int second_watch = watcher.add(second.events_path());
    EXPECT_NE(first_watch, second_watch);
    settle(watcher); // late reports of the joins, if any
    EXPECT_TRUE(watcher.read_changes().empty()) << "nothing changed yet";

    ::kill(first_child, SIGKILL);
    EXPECT_EQ(fired_until(watcher, first_watch), std::set<int>{first_watch});
    EXPECT_FALSE(first.populated());
    EXPECT_TRUE(second.populated());

    ::kill(second_child, SIGKILL);
    EXPECT_EQ(fired_until(watcher, second_watch), std::set<int>{second_watch});
    EXPECT_FALSE(second.populated());
}

TEST_F(Cgroup, KillWithoutCgroupKillFallsBackToSigkillRounds) {
    m_run.reset();
    CgroupSupport old_kernel = m_support;
    old_kernel.has_kill = false;
    m_run = std::make_unique<RunCgroup>(old_kernel, m_project);
    auto& service = m_run->add_service("old");
    const int child = spawn(service, {"sh", "-c", k_escapes});
    ASSERT_TRUE(test::eventually([&] { return service.pids().size() == 3; }, 10s));
    EXPECT_TRUE(service.kill());
    EXPECT_FALSE(service.populated());
    EXPECT_GE(reap(child), 0);
    EXPECT_TRUE(service.remove());
}

TEST_F(Cgroup, RemoveRefusesAPopulatedGroupAndTheDestructorLeavesIt) {
    auto& service = m_run->add_service("busy");
    spawn(service, {"sleep", "300"});
    ASSERT_TRUE(test::eventually([&] { return service.populated(); }, 10s));
    EXPECT_FALSE(service.remove(50ms));
    EXPECT_TRUE(exists(service.dir()));
}

TEST_F(Cgroup, LeftoverOfADeadRunIsFoundAndCleanedOthersAreLeftAlone) {
    // A pid that no longer runs: a child of ours, exited and reaped.
    const pid_t dead = ::fork();
    if (dead == 0) {
        ::_exit(0);
    }
    int status = 0;
    ASSERT_EQ(::waitpid(dead, &status, 0), dead);

    const std::string leftover = make_run_dir(m_project, dead);
    const int polite = sleeper_in(leftover, "web");
    const int stubborn = sleeper_in(leftover, "db", {"sh", "-c", "trap '' TERM; exec sleep 300"});
    const std::string other_project = make_run_dir(m_project + "x", dead);
    const int other = sleeper_in(other_project, "web");
    const int live = spawn(m_run->add_service("live"), {"sleep", "300"});
    ASSERT_GT(polite, 0);
    ASSERT_GT(stubborn, 0);
    ASSERT_GT(other, 0);
    // The live one joins its group after the fork, like the others.
    ASSERT_TRUE(test::eventually([&] { return m_run->find("live")->populated(); }, 10s));
    ASSERT_TRUE(test::eventually(
        [&] {
            const auto info = read_process_info(stubborn);
            return info && info->name == "sleep";
        },
        10s));

    const auto runs = find_leftover_runs(m_support, m_project);
    ASSERT_EQ(runs.size(), 1u) << "our own (live) run and another project's are not leftovers";
    EXPECT_EQ(runs[0].dir, leftover);
    EXPECT_EQ(runs[0].golaunch_pid, dead);
    ASSERT_EQ(runs[0].services.size(), 2u);
    EXPECT_EQ(runs[0].services[0].name, "db");
    EXPECT_EQ(runs[0].services[0].pids, std::vector<int>{stubborn});
    EXPECT_EQ(runs[0].services[1].name, "web");
    EXPECT_EQ(runs[0].services[1].pids, std::vector<int>{polite});

    const auto start = std::chrono::steady_clock::now();
    const auto cleaned = clean_leftover_run(runs[0], 300ms, m_support.has_kill);
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(cleaned.forced) << "db ignores SIGTERM";
    EXPECT_TRUE(cleaned.removed);
    EXPECT_GE(took, 290ms);
    EXPECT_LT(took, 5000ms) << "a hang, not a wait for the grace";
    ASSERT_EQ(cleaned.run.services.size(), 2u);
    EXPECT_EQ(cleaned.run.services[0].pids, std::vector<int>{stubborn});
    EXPECT_FALSE(exists(leftover));
    status = reap(polite);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
    status = reap(stubborn);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;

    EXPECT_TRUE(test::pid_running(other)) << "another project's run is not ours to clean";
    EXPECT_TRUE(exists(other_project));
    EXPECT_TRUE(test::pid_running(live));
    EXPECT_TRUE(m_run->find("live")->populated());
}

TEST_F(Cgroup, ARunOfALiveProcessCountsOnlyWhenItIsNoGolaunch) {
    const int holder = spawn(m_run->add_service("holder"), {"sleep", "300"});
    ASSERT_TRUE(test::eventually(
        [&] {
            const auto info = read_process_info(holder);
            return info && info->name == "sleep";
        },
        10s));
    const std::string dir = make_run_dir(m_project, holder);
    const auto runs = find_leftover_runs(m_support, m_project);
    ASSERT_EQ(runs.size(), 1u) << "a live sleep is no golaunch: its pid was reused";
    EXPECT_EQ(runs[0].dir, dir);
    EXPECT_TRUE(find_leftover_runs(m_support, m_project, {"sleep"}).empty())
        << "a process named like golaunch is a live golaunch";
}

} // namespace
} // namespace golaunch
