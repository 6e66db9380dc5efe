// The orphan guard with a run cgroup: when golaunch's end of the pipe closes, processes that
// left every process group (setsid) still get SIGTERM, a SIGTERM-ignoring one gets cgroup.kill
// after the grace, and the service groups and the run dir are removed. Also alive()/pidfd().
#include "supervise/orphan_guard.hpp"

#include "platform/cgroup.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <memory>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

constexpr auto k_grace = 300ms;

bool exists(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0;
}

class GuardCgroup : public ::testing::Test {
  protected:
    void SetUp() override {
        m_support = probe_cgroups();
        if (!m_support.usable) {
            GTEST_SKIP() << "no usable cgroup2 hierarchy: " << m_support.reason;
        }
        char project[32];
        std::snprintf(project, sizeof project, "g%x", static_cast<unsigned>(::getpid()));
        m_run = std::make_unique<RunCgroup>(m_support, project);
    }

    void TearDown() override {
        if (m_run) {
            m_run->kill_all();
        }
        for (const int pid : m_children) {
            ::kill(pid, SIGKILL);
            int status = 0;
            ::waitpid(pid, &status, 0);
        }
        m_run.reset();
    }

    // fork; the child joins `group` (and, with `own_group`, a process group of its own)
    // before exec.
    int spawn(const ServiceCgroup* group, const std::vector<std::string>& argv,
              bool own_group = false) {
        std::vector<char*> args;
        for (const auto& arg : argv) {
            args.push_back(const_cast<char*>(arg.c_str()));
        }
        args.push_back(nullptr);
        const int procs = group != nullptr ? group->procs_fd() : -1;
        const pid_t pid = ::fork();
        if (pid == 0) {
            if (procs >= 0 && !join_cgroup_in_child(procs)) {
                ::_exit(126);
            }
            if (own_group) {
                ::setpgid(0, 0);
            }
            ::execvp(args[0], args.data());
            ::_exit(127);
        }
        if (pid > 0) {
            m_children.push_back(pid);
            if (own_group) {
                ::setpgid(pid, pid); // no race with the child's own call
            }
        }
        return pid;
    }

    // The wait status of our child once it ended (-1 on timeout).
    int reap(int pid, std::chrono::milliseconds timeout = 10s) {
        int status = -1;
        if (test::eventually([&] { return ::waitpid(pid, &status, WNOHANG) == pid; }, timeout)) {
            std::erase(m_children, pid);
            return status;
        }
        return -1;
    }

    // "sleep" running (a shell exec'd it, setsid did its work).
    static bool sleeping(int pid) {
        return test::eventually(
            [&] { return test::read_file("/proc/" + std::to_string(pid) + "/comm") == "sleep\n"; },
            10s);
    }

    CgroupSupport m_support;
    std::unique_ptr<RunCgroup> m_run;
    std::vector<int> m_children;
};

TEST_F(GuardCgroup, OnEofASetsidProcessGetsSigtermAndTheGroupsAreRemoved) {
    auto& web = m_run->add_service("web");
    const int child = spawn(&web, {"setsid", "sleep", "300"});
    ASSERT_TRUE(sleeping(child));
    ASSERT_EQ(::getsid(child), child) << "left our session: no process group reaches it";
    auto guard = std::make_unique<OrphanGuard>(k_grace, m_run->dir());
    ASSERT_TRUE(guard->alive());

    const auto start = std::chrono::steady_clock::now();
    guard.reset(); // golaunch's end closes, as the kernel closes it when golaunch dies
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_LT(took, k_grace + 5000ms) << "a hang, not a wait for the grace";
    const int status = reap(child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
    EXPECT_FALSE(exists(web.dir()));
    EXPECT_FALSE(exists(m_run->dir()));
}

TEST_F(GuardCgroup, ASigtermIgnoringProcessIsKilledAfterTheGrace) {
    auto& db = m_run->add_service("db");
    const int child = spawn(&db, {"setsid", "sh", "-c", "trap '' TERM; exec sleep 300"});
    ASSERT_TRUE(sleeping(child));
    auto guard = std::make_unique<OrphanGuard>(k_grace, m_run->dir());

    const auto start = std::chrono::steady_clock::now();
    guard.reset();
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_GE(took, k_grace - 20ms) << "SIGKILL before the grace ended";
    EXPECT_LT(took, k_grace + 5000ms) << "a hang, not a wait for the grace";
    const int status = reap(child);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << status;
    EXPECT_FALSE(exists(db.dir()));
    EXPECT_FALSE(exists(m_run->dir()));
}

TEST_F(GuardCgroup, ACgroupGivenLaterAndAProcessGroupAreBothStopped) {
    auto guard = std::make_unique<OrphanGuard>(k_grace);
    auto& api = m_run->add_service("api");
    const int contained = spawn(&api, {"setsid", "sleep", "300"});
    const int grouped = spawn(nullptr, {"sleep", "300"}, true);
    ASSERT_TRUE(sleeping(contained));
    ASSERT_TRUE(sleeping(grouped));
    guard->watch_cgroup(m_run->dir());
    guard->watch_group(grouped);

    guard.reset();
    int status = reap(contained);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
    status = reap(grouped);
    EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM) << status;
    EXPECT_FALSE(exists(m_run->dir()));
}

TEST_F(GuardCgroup, AliveAndPidfdTellTheGuardsDeath) {
    OrphanGuard guard(k_grace, m_run->dir());
    ASSERT_GT(guard.pid(), 0);
    ASSERT_GE(guard.pidfd(), 0) << "pidfd_open is available on these kernels";
    EXPECT_TRUE(guard.alive());
    pollfd exited{guard.pidfd(), POLLIN, 0};
    EXPECT_EQ(::poll(&exited, 1, 0), 0);
    ::kill(guard.pid(), SIGKILL); // the guard this test started
    EXPECT_EQ(::poll(&exited, 1, 2000), 1) << "the pidfd did not become readable";
    EXPECT_FALSE(guard.alive());
    EXPECT_TRUE(exists(m_run->dir())) << "a killed guard removes nothing";
}

} // namespace
} // namespace golaunch
