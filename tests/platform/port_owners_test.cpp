#include "platform/port_owners.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

#include <filesystem>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::ChildProcess;
using test::eventually;

using Server = test::FixtureServer;

// The users of the fixture's listener (TCP, 127.0.0.1). Another process's socket can have the
// same port number, UDP or on [::1] (they do not conflict with it): not the fixture's.
std::vector<PortUser> fixture_users(std::uint16_t port, int* denied = nullptr) {
    auto users = find_port_users(system_socket_table(), port, true, denied);
    std::erase_if(users, [](const PortUser& user) {
        return user.socket.protocol != Protocol::tcp || user.socket.local_address != "127.0.0.1";
    });
    return users;
}

TEST(PortUsers, OwnerOfAFixtureServerIsItsPid) {
    Server server;
    ASSERT_GT(server.pid, 0);
    int denied = 0;
    const auto users = fixture_users(server.port, &denied);
    ASSERT_EQ(users.size(), 1u);
    EXPECT_EQ(users[0].socket.state, SocketState::listen);
    EXPECT_EQ(users[0].socket.local_address, "127.0.0.1");
    ASSERT_EQ(users[0].owners.size(), 1u);
    const auto& owner = users[0].owners[0];
    EXPECT_EQ(owner.pid, server.pid);
    EXPECT_EQ(owner.exe, std::filesystem::canonical(test::fixture("httpserver")).string());

    const std::string text = describe_owner(owner);
    EXPECT_EQ(text.rfind(
                  "pid " + std::to_string(server.pid) + " " + owner.exe + " -name holder -addr", 0),
              0u)
        << text;
    EXPECT_NE(text.find("(user " + owner.user + ", started "), std::string::npos) << text;
    EXPECT_FALSE(started_by_golaunch(owner));
}

TEST(PortUsers, FreePortHasNoUsers) {
    EXPECT_TRUE(find_port_users(system_socket_table(), test::pick_free_port(), true).empty());
}

TEST(PortUsers, DescribeMentionsTheGolaunchService) {
    Server server({"GOLAUNCH_SERVICE=api", "GOLAUNCH_PID=" + std::to_string(::getpid())});
    ASSERT_GT(server.pid, 0);
    const auto users = fixture_users(server.port);
    ASSERT_EQ(users.size(), 1u);
    ASSERT_EQ(users[0].owners.size(), 1u);
    const auto& owner = users[0].owners[0];
    EXPECT_EQ(owner.golaunch_service, "api");
    EXPECT_EQ(owner.golaunch_pid, ::getpid());
    EXPECT_NE(describe_owner(owner).find(", golaunch service api)"), std::string::npos);
    // We are golaunch_tests, not golaunch: the mark alone does not make it ours.
    EXPECT_FALSE(started_by_golaunch(owner));
}

TEST(PortUsers, StartedByALiveGolaunch) {
    // A stand-in golaunch: any long-running program whose exe is named "golaunch".
    test::TempDir dir;
    const auto fake = dir.path() / "golaunch";
    std::filesystem::copy_file(test::fixture("httpserver"), fake);
    std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
    ChildProcess launcher(
        {fake.string(), "-addr", "127.0.0.1:" + std::to_string(test::pick_free_port())});
    ASSERT_TRUE(eventually(
        [&] {
            const auto info = read_process_info(launcher.pid());
            return info && info->exe == std::filesystem::canonical(fake).string();
        },
        5s));
    ::usleep(20000); // a start tick later than the launcher's

    Server server({"GOLAUNCH_SERVICE=web", "GOLAUNCH_PID=" + std::to_string(launcher.pid())});
    ASSERT_GT(server.pid, 0);
    const auto info = read_process_info(server.pid);
    ASSERT_TRUE(info);
    EXPECT_TRUE(started_by_golaunch(*info));

    launcher.signal(SIGKILL);
    ASSERT_TRUE(launcher.wait_for(5s));
    EXPECT_FALSE(started_by_golaunch(*info)); // that golaunch is gone: a stale instance
}

TEST(PortUsers, EndpointsAndCommands) {
    EXPECT_EQ(format_endpoint("127.0.0.1", 8080), "127.0.0.1:8080");
    EXPECT_EQ(format_endpoint("::1", 8080), "[::1]:8080");
    EXPECT_EQ(format_endpoint("::", 80), "[::]:80");
    ProcessInfo info;
    info.name = "kworker/0:1";
    EXPECT_EQ(owner_command(info), "[kworker/0:1]");
    info.cmdline = {"python3", "-m", "http.server", "a b"};
    EXPECT_EQ(owner_command(info), "python3 -m http.server 'a b'");
    info.exe = "/usr/bin/python3.11";
    EXPECT_EQ(owner_command(info), "/usr/bin/python3.11 -m http.server 'a b'");
}

} // namespace
} // namespace golaunch
