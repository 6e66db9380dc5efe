#include "platform/process_info.hpp"

#include "support/test_support.hpp"
#include "util/unique_fd.hpp"

#include <gtest/gtest.h>

#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::eventually;

std::string canonical_fixture() {
    return std::filesystem::canonical(test::fixture("httpserver")).string();
}

// Waits until the forked child has exec'd `exe` (before that, /proc shows the test binary;
// during exec the exe link changes a moment before the name, the name before argv).
std::optional<ProcessInfo> info_after_exec(pid_t pid, const std::string& exe) {
    const std::string name = std::filesystem::path(exe).filename().string().substr(0, 15);
    std::optional<ProcessInfo> info;
    eventually(
        [&] {
            info = read_process_info(pid);
            return info && info->exe == exe && info->name == name && !info->cmdline.empty();
        },
        5s);
    return info;
}

// Kills the whole process group of a child we started (it and the grandchildren it started).
struct GroupKiller {
    pid_t pgid;
    ~GroupKiller() { ::kill(-pgid, SIGKILL); }
};

std::vector<std::string> server_argv(const std::string& program, std::uint16_t port) {
    return {program, "-addr", "127.0.0.1:" + std::to_string(port), "-name", "info test"};
}

TEST(ProcessInfo, ReadsAChildWeStarted) {
    const auto argv = server_argv(test::fixture("httpserver"), test::pick_free_port());
    ChildProcess child(argv);
    const auto before = std::chrono::system_clock::now();
    const auto info = info_after_exec(child.pid(), canonical_fixture());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->pid, child.pid());
    EXPECT_EQ(info->ppid, ::getpid());
    EXPECT_EQ(info->pgid, child.pid()); // ChildProcess puts it in its own group
    EXPECT_EQ(info->cmdline, argv);
    EXPECT_EQ(info->name, "httpserver");
    EXPECT_EQ(info->uid, ::getuid());
    if (const passwd* entry = ::getpwuid(::getuid())) {
        EXPECT_EQ(info->user, entry->pw_name);
    }
    EXPECT_NE(info->state, 'Z');
    EXPECT_GT(info->start_ticks, 0u);
    const auto skew = std::chrono::abs(info->start_time - before);
    EXPECT_LT(skew, 5s);
    EXPECT_TRUE(info->golaunch_service.empty());
    EXPECT_TRUE(process_alive(child.pid()));
}

TEST(ProcessInfo, GoneProcessIsNotAlive) {
    ChildProcess child(server_argv(test::fixture("httpserver"), test::pick_free_port()));
    const pid_t pid = child.pid();
    ASSERT_TRUE(info_after_exec(pid, canonical_fixture()));
    child.signal(SIGKILL);
    ASSERT_TRUE(child.wait_for(5s));
    EXPECT_FALSE(process_alive(pid));
    EXPECT_FALSE(read_process_info(pid));
    EXPECT_FALSE(process_alive(0));
    EXPECT_FALSE(read_process_info(-1));
}

TEST(ProcessInfo, CommWithSpacesAndParenthesesParses) {
    test::TempDir dir;
    const auto link = dir.path() / "a b) (c";
    std::filesystem::create_symlink(test::fixture("httpserver"), link);
    ChildProcess child(server_argv(link.string(), test::pick_free_port()));
    std::optional<ProcessInfo> info;
    ASSERT_TRUE(eventually(
        [&] {
            info = read_process_info(child.pid());
            return info && info->name == "a b) (c";
        },
        5s));
    EXPECT_EQ(info->ppid, ::getpid());
    EXPECT_EQ(info->pgid, child.pid());
    EXPECT_EQ(info->exe, canonical_fixture());
    EXPECT_EQ(info->state == 'S' || info->state == 'R' || info->state == 'D', true);
}

TEST(ProcessInfo, ReadsGolaunchEnvironmentMark) {
    ChildProcess child(server_argv(test::fixture("httpserver"), test::pick_free_port()), "",
                       {"GOLAUNCH_SERVICE=api", "GOLAUNCH_PID=4242"});
    const auto info = info_after_exec(child.pid(), canonical_fixture());
    ASSERT_TRUE(info);
    EXPECT_EQ(info->golaunch_service, "api");
    EXPECT_EQ(info->golaunch_pid, 4242);
}

TEST(ProcessInfo, FindsOwnerOfOurOwnSocket) {
    const test::HeldListener listener(0);
    ASSERT_TRUE(listener.ok());
    struct stat info {};
    ASSERT_EQ(::fstat(listener.fd(), &info), 0);
    int denied = 0;
    const auto owners = find_socket_owners({info.st_ino, 1}, &denied);
    ASSERT_TRUE(owners.contains(info.st_ino));
    EXPECT_NE(std::find(owners.at(info.st_ino).begin(), owners.at(info.st_ino).end(), ::getpid()),
              owners.at(info.st_ino).end());
    EXPECT_FALSE(owners.contains(1)); // no socket has inode 1
    EXPECT_TRUE(find_socket_owners({}).empty());
}

// A big fd table is binary-searched by inode before it is read in full; the search assumes
// newer fds hold newer inodes. Sockets whose fds were reused out of that order, in the middle and
// at the end, are found all the same (by the search or by the full read after it).
TEST(ProcessInfo, FindsOwnersInABigFdTableWhateverItsOrder) {
    std::vector<UniqueFd> sockets;
    for (int i = 0; i < 600; ++i) {
        sockets.emplace_back(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        ASSERT_TRUE(sockets.back().valid()) << std::strerror(errno);
    }
    for (int i = 100; i < 200; ++i) {
        sockets[i].reset(); // these fd numbers are reused below by newer (higher) inodes
    }
    for (int i = 100; i < 200; ++i) {
        sockets[i].reset(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        ASSERT_TRUE(sockets[i].valid()) << std::strerror(errno);
    }
    const auto inode_of = [&](std::size_t index) {
        struct stat info {};
        EXPECT_EQ(::fstat(sockets[index].get(), &info), 0);
        return static_cast<std::uint64_t>(info.st_ino);
    };
    for (const std::size_t index : {0UL, 150UL, 199UL, 200UL, 450UL, 599UL}) {
        const auto inode = inode_of(index);
        const auto owners = find_socket_owners({inode});
        ASSERT_TRUE(owners.contains(inode)) << "socket " << index;
        EXPECT_NE(std::find(owners.at(inode).begin(), owners.at(inode).end(), ::getpid()),
                  owners.at(inode).end())
            << "socket " << index;
    }
    const auto both = find_socket_owners({inode_of(150), inode_of(599)});
    EXPECT_TRUE(both.contains(inode_of(150)));
    EXPECT_TRUE(both.contains(inode_of(599)));
}

TEST(ProcessInfo, DescendantsAndProcessGroup) {
    test::TempDir dir;
    const auto sleeper_file = dir.path() / "sleeper.pid";
    ChildProcess child({test::fixture("httpserver"), "-addr",
                        "127.0.0.1:" + std::to_string(test::pick_free_port()), "-sleeper-pidfile",
                        sleeper_file.string()});
    const GroupKiller killer{child.pid()};
    ASSERT_TRUE(eventually([&] { return std::filesystem::exists(sleeper_file); }, 10s));
    const pid_t sleeper = std::stoi(test::read_file(sleeper_file));
    const auto descendants = descendants_of(::getpid());
    EXPECT_NE(std::find(descendants.begin(), descendants.end(), child.pid()), descendants.end());
    EXPECT_NE(std::find(descendants.begin(), descendants.end(), sleeper), descendants.end());
    const auto of_child = descendants_of(child.pid());
    EXPECT_NE(std::find(of_child.begin(), of_child.end(), sleeper), of_child.end());
    EXPECT_EQ(std::find(of_child.begin(), of_child.end(), child.pid()), of_child.end());

    const auto group = members_of_process_group(child.pid());
    EXPECT_NE(std::find(group.begin(), group.end(), child.pid()), group.end());
    EXPECT_NE(std::find(group.begin(), group.end(), sleeper), group.end());
}

} // namespace
} // namespace golaunch
