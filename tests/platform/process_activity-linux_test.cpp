// Process activity from /proc and the socket table, on processes the test starts itself.
#include "platform/process_activity.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <algorithm>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

TEST(ProcessActivityTest, ParsesSyscallFileFormats) {
    const auto blocked = parse_syscall_text("202 0xc000 0x80 0x0 0x0 0x0 0x0 0x7ffc 0x46a3\n");
    EXPECT_EQ(blocked.syscall, 202);
    EXPECT_EQ(blocked.args[0], 0xc000u);
    EXPECT_EQ(blocked.args[1], 0x80u);
    EXPECT_FALSE(blocked.running);
    EXPECT_TRUE(parse_syscall_text("running\n").running);
    EXPECT_EQ(parse_syscall_text("-1 0x7ffc 0x46a3\n").syscall, -1);
    EXPECT_EQ(parse_syscall_text("garbage").syscall, -1);
    EXPECT_EQ(parse_syscall_text("7 0x1 0xzz 0 0 0 0 0 0").syscall, -1);
    EXPECT_EQ(parse_syscall_text("").syscall, -1);
}

TEST(ProcessActivityTest, NamesCommonSyscalls) {
    EXPECT_EQ(syscall_name(SYS_futex), "futex");
    EXPECT_EQ(syscall_name(SYS_connect), "connect");
    EXPECT_EQ(syscall_name(SYS_epoll_pwait), "epoll_pwait");
    EXPECT_EQ(syscall_name(99999), "syscall 99999");
#ifdef SYS_vfork
    EXPECT_EQ(syscall_name(SYS_vfork), "vfork");
#endif
    EXPECT_TRUE(syscall_takes_fd(SYS_connect));
    EXPECT_TRUE(syscall_takes_fd(SYS_read));
    EXPECT_FALSE(syscall_takes_fd(SYS_futex));
}

TEST(ProcessActivityTest, ThreadBlockedInAcceptNamesItsListeningSocket) {
    test::HeldListener listener(0);
    ASSERT_TRUE(listener.ok());
    const std::uint16_t port = listener.port();
    struct stat info {};
    ASSERT_EQ(::fstat(listener.fd(), &info), 0);

    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        ::alarm(20); // bounded even if the parent dies
        ::accept(listener.fd(), nullptr, nullptr);
        ::_exit(0);
    }
    listener.close();
    std::vector<ProcessActivity> tree;
    const bool seen = test::eventually(
        [&] {
            tree = read_tree_activity(child, 0, system_socket_table());
            return tree.size() == 1 && tree[0].threads.size() == 1 &&
                   tree[0].threads[0].syscall >= 0;
        },
        5s);
    ::kill(child, SIGKILL);
    ::waitpid(child, nullptr, 0);
    ASSERT_TRUE(seen);
    const auto& thread = tree[0].threads[0];
    EXPECT_TRUE(syscall_name(thread.syscall) == "accept" ||
                syscall_name(thread.syscall) == "accept4")
        << syscall_name(thread.syscall);
    EXPECT_EQ(thread.state, 'S');
    EXPECT_EQ(thread.fd_socket, static_cast<std::uint64_t>(info.st_ino));
    const auto& sockets = tree[0].sockets;
    const bool listening = std::any_of(sockets.begin(), sockets.end(), [&](const SocketEntry& s) {
        return s.state == SocketState::listen && s.local_port == port &&
               s.inode == static_cast<std::uint64_t>(info.st_ino);
    });
    EXPECT_TRUE(listening);
}

TEST(ProcessActivityTest, CoversTheWholeTreeOfAShell) {
    test::ChildProcess shell({"sh", "-c", "sleep 30; true"});
    std::vector<ProcessActivity> tree;
    const auto call = [&](std::size_t at) {
        return tree.size() > at && !tree[at].threads.empty()
                   ? syscall_name(tree[at].threads[0].syscall)
                   : std::string("(none)");
    };
    // The tree is read one process at a time, not at one instant, and on its way to sleeping
    // each process passes through other calls: dash starts sleep with vfork and stays in it
    // until sleep has exec'd (CI read the shell in vfork and, a moment later, sleep sleeping),
    // and sleep is named "sleep" from its execve on, while the loader still opens and maps its
    // libraries. So the test waits for the state both settle in; a wrong name never gets there.
    const bool seen = test::eventually(
        [&] {
            tree = read_tree_activity(shell.pid(), shell.pid(), system_socket_table());
            const auto sleeping = call(1);
            return tree.size() == 2 && tree[1].name == "sleep" &&
                   (sleeping == "clock_nanosleep" || sleeping == "nanosleep") && call(0) == "wait4";
        },
        10s);
    ASSERT_TRUE(seen) << tree.size() << " processes; the shell in " << call(0) << ", sleep in "
                      << call(1);
    EXPECT_EQ(tree[0].pid, shell.pid());
    EXPECT_EQ(tree[1].ppid, shell.pid());
    EXPECT_EQ(tree[0].threads.size(), 1U);
    EXPECT_TRUE(tree[1].sockets.empty());
    ::kill(tree[1].pid, SIGKILL); // the test's own grandchild
}

} // namespace
} // namespace golaunch
