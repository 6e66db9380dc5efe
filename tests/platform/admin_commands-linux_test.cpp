// The commands remedies print on Linux: `sudo` only when golaunch is not root (root typing
// `sudo` works, but the advice would not be what this situation needs).
#include "platform/admin_commands.hpp"

#include "support/isolated_call.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

namespace golaunch {
namespace {

TEST(AdminCommands, SudoOnlyWhenNotRoot) {
    const std::string expected = ::geteuid() == 0 ? "`ip -6 addr add ::1/128 dev lo`"
                                                  : "`sudo ip -6 addr add ::1/128 dev lo`";
    EXPECT_EQ(restore_ipv6_loopback_instruction(), expected);
    EXPECT_EQ(add_local_address_instruction("192.0.2.7"),
              elevated("ip addr add 192.0.2.7/32 dev lo"));
    EXPECT_EQ(add_local_address_instruction("fd00::7"), elevated("ip addr add fd00::7/128 dev lo"));
    EXPECT_EQ(rerun_elevated_hint("golaunch fix"), "run it as root: sudo golaunch fix");
}

TEST(AdminCommands, AsNobodyTheCommandCarriesSudo) {
    if (::geteuid() != 0) {
        EXPECT_EQ(elevated("golaunch who 80"), "`sudo golaunch who 80`");
        return;
    }
    std::string why;
    test::Isolation nobody;
    nobody.as_nobody = true;
    const auto text = test::call_isolated(
        nobody, [] { return elevated("golaunch who 80"); }, &why);
    ASSERT_TRUE(text) << why;
    EXPECT_EQ(*text, "`sudo golaunch who 80`");
}

} // namespace
} // namespace golaunch
