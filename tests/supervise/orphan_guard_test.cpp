// Reaping adopted orphans as a child subreaper, on a real process tree. The subreaper is a
// forked child of the test (call_isolated), so the test process itself is never changed.
#include "supervise/orphan_guard.hpp"

#include "platform/process_info.hpp"
#include "support/isolated_call.hpp"
#include "support/test_support.hpp"
#include "util/unique_fd.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <sstream>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

bool contains(const std::vector<pid_t>& pids, pid_t pid) {
    return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

bool is_zombie_child(pid_t pid) {
    const auto info = read_process_info(pid);
    return info && info->ppid == ::getpid() && info->state == 'Z';
}

// "key=value" lines into a map.
std::map<std::string, std::string> parse(const std::string& text) {
    std::map<std::string, std::string> values;
    std::istringstream lines(text);
    std::string line;
    while (std::getline(lines, line)) {
        const auto equals = line.find('=');
        if (equals != std::string::npos) {
            values[line.substr(0, equals)] = line.substr(equals + 1);
        }
    }
    return values;
}

// In the forked child: become subreaper; start a "service" (its own process group, like
// golaunch's) that forks a grandchild and exits at once; wait for the service as its owner
// would; let the grandchild, now adopted, exit; then look at it and call reap_orphans. An
// owned child that has exited too must be left for its owner. Returns "key=value" lines.
std::string adopted_orphan_scenario() {
    ::signal(SIGCHLD, SIG_DFL);
    become_child_subreaper();
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return "error=pipe";
    }
    UniqueFd pid_read(fds[0]);
    UniqueFd pid_write(fds[1]);
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return "error=pipe";
    }
    UniqueFd release_read(fds[0]);
    UniqueFd release_write(fds[1]); // the grandchild exits when this closes
    const pid_t service = ::fork();
    if (service == 0) {
        ::setpgid(0, 0);
        const pid_t grandchild = ::fork();
        if (grandchild == 0) {
            release_write.reset();
            char byte = 0;
            while (::read(release_read.get(), &byte, 1) < 0 && errno == EINTR) {
            }
            ::_exit(0);
        }
        [[maybe_unused]] const ssize_t n = ::write(pid_write.get(), &grandchild, sizeof grandchild);
        ::_exit(0);
    }
    pid_write.reset();
    release_read.reset();
    std::ostringstream out;
    pid_t grandchild = 0;
    int status = 0;
    if (service < 0 ||
        ::read(pid_read.get(), &grandchild, sizeof grandchild) != sizeof grandchild ||
        ::waitpid(service, &status, 0) != service) {
        return "error=could not start the tree";
    }
    const auto adopted = read_process_info(grandchild);
    out << "adopted=" << (adopted && adopted->ppid == ::getpid()) << "\n";
    release_write.reset();
    out << "became_zombie=" << test::eventually([&] { return is_zombie_child(grandchild); }, 5s)
        << "\n";

    const pid_t owned = ::fork();
    if (owned == 0) {
        ::_exit(7);
    }
    out << "owned_zombie=" << test::eventually([&] { return is_zombie_child(owned); }, 5s) << "\n";

    out << "listed_as_zombie=" << contains(zombie_children_of(::getpid()), grandchild) << "\n";
    out << "owned_listed_as_zombie=" << contains(zombie_children_of(::getpid()), owned) << "\n";
    out << "in_descendants=" << contains(descendants_of(::getpid()), grandchild) << "\n";
    out << "group_alive_before=" << process_group_alive(service) << "\n";

    reap_orphans({owned});

    out << "group_alive_after=" << process_group_alive(service) << "\n";
    errno = 0;
    const pid_t again = ::waitpid(grandchild, &status, WNOHANG);
    out << "grandchild_reaped=" << (again < 0 && errno == ECHILD) << "\n";
    out << "owned_exit_code="
        << (::waitpid(owned, &status, WNOHANG) == owned && WIFEXITED(status) ? WEXITSTATUS(status)
                                                                             : -1)
        << "\n";
    return out.str();
}

TEST(OrphanGuard, ReapsAnAdoptedGrandchildSoItsGroupIsGoneAndLeavesOwnedChildren) {
    std::string why;
    const auto text = test::call_isolated({}, adopted_orphan_scenario, &why, 15'000ms);
    ASSERT_TRUE(text) << "the forked subreaper failed: " << why;
    const auto values = parse(*text);
    ASSERT_FALSE(values.contains("error")) << *text;
    EXPECT_EQ(values.at("adopted"), "1") << "the grandchild is reparented to the subreaper";
    EXPECT_EQ(values.at("became_zombie"), "1") << *text;
    EXPECT_EQ(values.at("owned_zombie"), "1") << *text;
    EXPECT_EQ(values.at("listed_as_zombie"), "1") << *text;
    EXPECT_EQ(values.at("owned_listed_as_zombie"), "1") << *text;
    EXPECT_EQ(values.at("in_descendants"), "0") << "descendants_of lists live processes only";
    EXPECT_EQ(values.at("group_alive_before"), "1") << "an unreaped zombie holds its group";
    EXPECT_EQ(values.at("group_alive_after"), "0") << *text;
    EXPECT_EQ(values.at("grandchild_reaped"), "1") << *text;
    EXPECT_EQ(values.at("owned_exit_code"), "7") << "reap_orphans left the owned child's status";
}

TEST(OrphanGuard, ZombieChildrenOfIgnoresLiveChildren) {
    test::ChildProcess child({"sleep", "30"});
    EXPECT_FALSE(contains(zombie_children_of(::getpid()), child.pid()));
    EXPECT_TRUE(contains(descendants_of(::getpid()), child.pid()));
    child.signal(SIGKILL);
    // Not reaped yet: a zombie of ours until ChildProcess waits for it.
    EXPECT_TRUE(test::eventually(
        [&] { return contains(zombie_children_of(::getpid()), child.pid()); }, 5s));
    EXPECT_FALSE(contains(descendants_of(::getpid()), child.pid()));
    ASSERT_TRUE(child.wait_for(5s).has_value());
    EXPECT_FALSE(contains(zombie_children_of(::getpid()), child.pid()));
}

} // namespace
} // namespace golaunch
