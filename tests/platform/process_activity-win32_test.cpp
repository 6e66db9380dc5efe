// What Windows shows of a real process tree (Toolhelp32): the process, its image name, its
// threads, and the sockets the table attributes to it by owner pid.
#include "platform/process_activity.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

// A socket table that attributes one listener to `owner` (Wine's real table reports owner 0).
class OneSocketTable : public SocketTable {
  public:
    OneSocketTable(std::uint32_t owner, std::uint16_t port) {
        m_entry.state = SocketState::listen;
        m_entry.local_address = "127.0.0.1";
        m_entry.local_port = port;
        m_entry.owner_pid = owner;
    }
    std::vector<SocketEntry> query(const SocketQuery&) const override { return {m_entry}; }

  private:
    SocketEntry m_entry;
};

TEST(ProcessActivityWin32, ShowsTheStartedProcessItsThreadsAndItsSockets) {
    const auto port = test::pick_free_port();
    test::TempDir dir;
    test::ChildProcess child(
        {test::fixture("binder"), "-addr", "127.0.0.1:" + std::to_string(port)},
        (dir.path() / "out.log").string());
    ASSERT_TRUE(test::eventually([&] { return test::can_connect(port); }, 20s));
    const OneSocketTable table(static_cast<std::uint32_t>(child.pid()), port);
    const auto tree = read_tree_activity(child.pid(), child.pid(), table);
    const auto found = std::find_if(tree.begin(), tree.end(),
                                    [&](const ProcessActivity& p) { return p.pid == child.pid(); });
    ASSERT_NE(found, tree.end()) << "the root is part of its own tree";
    EXPECT_EQ(found->name, "binder.exe");
    EXPECT_FALSE(found->threads.empty()) << "a Go program runs several threads";
    for (const auto& thread : found->threads) {
        EXPECT_EQ(thread.syscall, -1) << "Windows shows no blocked system call";
    }
    ASSERT_EQ(found->sockets.size(), 1u);
    EXPECT_EQ(found->sockets.front().local_port, port);
}

TEST(ProcessActivityWin32, AProcessThatIsGoneGivesAnEmptyTree) {
    test::ChildProcess child({test::fixture("crashloop"), "-after", "1ms", "-code", "0"});
    ASSERT_TRUE(child.wait_for(20s));
    const OneSocketTable table(0, 1);
    EXPECT_TRUE(read_tree_activity(child.pid(), child.pid(), table).empty());
}

} // namespace
} // namespace golaunch
