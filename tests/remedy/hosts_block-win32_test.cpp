// The hosts-block remedy through safe_edit-win32: backup once, CRLF kept, idempotent, a refusal
// leaves the file intact, a file held open by another program is rewritten in place.
#include "remedy/hosts_block.hpp"

#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <windows.h>

namespace golaunch {
namespace {

using test::files_in;
using test::read_file;

std::vector<HostEntry> api_entry() {
    return {{"api.shop.test", "127.0.0.1", {}}};
}

TEST(HostsBlockWin32, AddsABlockKeepsCrlfAndBacksUpTheOriginalOnce) {
    test::TempDir dir;
    const std::string original = "127.0.0.1 localhost\r\n::1 localhost\r\n";
    const auto hosts = dir.write("hosts", original);
    const auto edit = apply_hosts_block(hosts, "shop", api_entry(), false);
    EXPECT_TRUE(edit.changed);
    EXPECT_TRUE(edit.backup_created);
    EXPECT_FALSE(edit.in_place);
    EXPECT_EQ(read_file(hosts), original + "# BEGIN golaunch shop\r\n127.0.0.1 api.shop.test\r\n"
                                           "# END golaunch shop\r\n");
    EXPECT_EQ(read_file(edit.backup), original);
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts", "hosts.golaunch.bak"}));

    const auto again = apply_hosts_block(hosts, "shop", api_entry(), false);
    EXPECT_FALSE(again.changed);
    const auto removed = apply_hosts_block(hosts, "shop", {}, false);
    EXPECT_TRUE(removed.changed);
    EXPECT_FALSE(removed.backup_created) << "the first backup is never overwritten";
    EXPECT_EQ(read_file(hosts), original);
    EXPECT_EQ(read_file(edit.backup), original);
}

TEST(HostsBlockWin32, DryRunWritesNothing) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    const auto edit = apply_hosts_block(hosts, "shop", api_entry(), true);
    EXPECT_TRUE(edit.changed);
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n");
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts"}));
}

TEST(HostsBlockWin32, AReadOnlyFileIsRefusedWithTheHintAndLeftIntact) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    ASSERT_TRUE(::SetFileAttributesW(hosts.wstring().c_str(), FILE_ATTRIBUTE_READONLY));
    const HANDLE probe = ::CreateFileW(hosts.wstring().c_str(), GENERIC_WRITE, FILE_SHARE_READ,
                                       nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    if (probe != INVALID_HANDLE_VALUE) {
        ::CloseHandle(probe);
        ::SetFileAttributesW(hosts.wstring().c_str(), FILE_ATTRIBUTE_NORMAL);
        GTEST_SKIP() << "the read-only attribute is not enforced here (Wine maps it to the Unix "
                        "mode bits, which root ignores): no refusal can be produced";
    }
    try {
        apply_hosts_block(hosts, "shop", api_entry(), false);
        ADD_FAILURE() << "expected a refusal";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find(hosts.filename().string()), std::string::npos)
            << error.what();
        EXPECT_NE(error.hint().find("golaunch fix"), std::string::npos) << error.hint();
    }
    ::SetFileAttributesW(hosts.wstring().c_str(), FILE_ATTRIBUTE_NORMAL);
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n");
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts"}));
}

TEST(HostsBlockWin32, AFileHeldOpenWithoutShareDeleteIsRewrittenInPlace) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    // Another program (a DNS cache, an editor) holds the file: rename over it is refused.
    const HANDLE holder =
        ::CreateFileW(hosts.wstring().c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE,
                      nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(holder, INVALID_HANDLE_VALUE);
    const auto edit = apply_hosts_block(hosts, "shop", api_entry(), false);
    ::CloseHandle(holder);
    EXPECT_TRUE(edit.in_place);
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n# BEGIN golaunch shop\n127.0.0.1 "
                                "api.shop.test\n# END golaunch shop\n");
    EXPECT_EQ(read_file(edit.backup), "127.0.0.1 localhost\n");
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts", "hosts.golaunch.bak"}));
}

// The in-place rewrite never truncates first. Another program holds the file (so the rename is
// refused) and has locked a byte range past the old end, where the new content must go: the
// write fails, and the file holds its original bytes, not an empty or half-written file (the
// old code truncated, then wrote).
TEST(HostsBlockWin32, AFailedInPlaceRewriteLeavesTheOriginal) {
    test::TempDir dir;
    const std::string original = "127.0.0.1 localhost\n";
    const auto hosts = dir.write("hosts", original);
    const HANDLE holder = ::CreateFileW(hosts.wstring().c_str(), GENERIC_READ | GENERIC_WRITE,
                                        FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING,
                                        FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(holder, INVALID_HANDLE_VALUE);
    OVERLAPPED range{};
    range.Offset = static_cast<DWORD>(original.size() + 8);
    ASSERT_TRUE(::LockFileEx(holder, LOCKFILE_EXCLUSIVE_LOCK | LOCKFILE_FAIL_IMMEDIATELY, 0, 4096,
                             0, &range));
    // Is a write into another handle's locked range refused here? (Windows: always.)
    const HANDLE probe =
        ::CreateFileW(hosts.wstring().c_str(), GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                      nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(probe, INVALID_HANDLE_VALUE);
    OVERLAPPED at{};
    at.Offset = range.Offset;
    DWORD written = 0;
    const bool enforced = !::WriteFile(probe, "x", 1, &written, &at);
    ::CloseHandle(probe);
    if (!enforced) {
        ::CloseHandle(holder);
        GTEST_SKIP() << "byte-range locks are not enforced on writes here";
    }
    std::string message;
    try {
        apply_hosts_block(hosts, "shop", api_entry(), false);
    } catch (const Error& e) {
        message = e.what();
    }
    ::UnlockFileEx(holder, 0, 4096, 0, &range);
    ::CloseHandle(holder);
    EXPECT_NE(message.find(hosts.string()), std::string::npos) << message;
    EXPECT_NE(message.find("is unchanged"), std::string::npos) << message;
    EXPECT_EQ(read_file(hosts), original);
    EXPECT_EQ(read_file(hosts.string() + ".golaunch.bak"), original);
}

// A missing hosts file (deleted by a clean-up tool) reads as empty to Windows' resolver:
// `fix` creates it holding only the block, with nothing to back up.
TEST(HostsBlockWin32, AMissingFileIsCreatedWithOnlyTheBlockAndNoBackup) {
    test::TempDir dir;
    const auto hosts = dir.path() / "hosts";
    EXPECT_TRUE(apply_hosts_block(hosts, "shop", api_entry(), true).created);
    EXPECT_TRUE(files_in(dir.path()).empty()) << "a dry run creates nothing";
    const auto edit = apply_hosts_block(hosts, "shop", api_entry(), false);
    EXPECT_TRUE(edit.changed);
    EXPECT_TRUE(edit.created);
    EXPECT_FALSE(edit.backup_created);
    // No line to take the line ending from: '\n', as for an empty file (the resolver reads both).
    EXPECT_EQ(read_file(hosts),
              "# BEGIN golaunch shop\n127.0.0.1 api.shop.test\n# END golaunch shop\n");
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"hosts"});
    EXPECT_FALSE(apply_hosts_block(hosts, "shop", api_entry(), false).changed);
}

} // namespace
} // namespace golaunch
