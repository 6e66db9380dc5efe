#include "remedy/hosts_block.hpp"

#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <sys/xattr.h>

#include <cerrno>
#include <cstring>

#include <filesystem>

namespace golaunch {
namespace {

using test::files_in;
using test::read_file;

std::vector<HostEntry> entries(std::initializer_list<std::pair<const char*, const char*>> list) {
    std::vector<HostEntry> out;
    for (const auto& [name, address] : list) {
        out.push_back({name, address, {}});
    }
    return out;
}

struct stat stat_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info;
}

bool same_mtime(const struct stat& a, const struct stat& b) {
    return a.st_mtim.tv_sec == b.st_mtim.tv_sec && a.st_mtim.tv_nsec == b.st_mtim.tv_nsec;
}

TEST(HostsBlock, AddsABlockAndBacksUpTheOriginal) {
    test::TempDir dir;
    const std::string original = "127.0.0.1 localhost\n::1 localhost\n";
    const auto hosts = dir.write("hosts", original);
    const auto edit = apply_hosts_block(
        hosts, "shop", entries({{"api.shop.test", "127.0.0.1"}, {"db.shop.test", "::1"}}), false);
    EXPECT_TRUE(edit.changed);
    EXPECT_TRUE(edit.backup_created);
    EXPECT_FALSE(edit.in_place);
    EXPECT_EQ(edit.old_block, "");
    EXPECT_EQ(edit.new_block, "# BEGIN golaunch shop\n127.0.0.1 api.shop.test\n::1 db.shop.test\n"
                              "# END golaunch shop");
    EXPECT_EQ(read_file(hosts), original + edit.new_block + "\n");
    EXPECT_EQ(edit.backup, hosts.string() + ".golaunch.bak");
    EXPECT_EQ(read_file(edit.backup), original);
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts", "hosts.golaunch.bak"}));
}

TEST(HostsBlock, SecondRunChangesNothingAndDoesNotWrite) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    const auto wanted = entries({{"api.shop.test", "127.0.0.1"}});
    ASSERT_TRUE(apply_hosts_block(hosts, "shop", wanted, false).changed);
    const auto content = read_file(hosts);
    const auto before = stat_of(hosts);
    ::usleep(20'000); // a rewrite would show in the nanosecond mtime
    const auto again = apply_hosts_block(hosts, "shop", wanted, false);
    EXPECT_FALSE(again.changed);
    EXPECT_EQ(again.old_block, again.new_block);
    EXPECT_EQ(read_file(hosts), content);
    const auto after = stat_of(hosts);
    EXPECT_TRUE(same_mtime(before, after));
    EXPECT_EQ(before.st_ino, after.st_ino);
}

TEST(HostsBlock, CrlfTabsCommentsAndOtherBlocksStayByteForByte) {
    test::TempDir dir;
    const std::string head = "# Copyright (c) Microsoft\r\n"
                             "127.0.0.1\tlocalhost\t# loopback\r\n"
                             "\r\n"
                             "# BEGIN docker\r\n"
                             "10.0.0.2 host.docker.internal\r\n"
                             "# END docker\r\n"
                             "# BEGIN golaunch other\r\n"
                             "127.0.0.1 other.test\r\n"
                             "# END golaunch other\r\n"
                             "  ::1    ip6-localhost   \r\n";
    const auto hosts = dir.write("hosts", head);
    ASSERT_TRUE(
        apply_hosts_block(hosts, "shop", entries({{"api.shop.test", "127.0.0.1"}}), false).changed);
    EXPECT_EQ(read_file(hosts), head + "# BEGIN golaunch shop\r\n127.0.0.1 api.shop.test\r\n"
                                       "# END golaunch shop\r\n");
    ASSERT_TRUE(apply_hosts_block(hosts, "shop", {}, false).changed);
    EXPECT_EQ(read_file(hosts), head);
}

TEST(HostsBlock, NoFinalNewlineStaysNone) {
    test::TempDir dir;
    const std::string original = "127.0.0.1\tlocalhost\n10.1.1.1 nas.lan";
    const auto hosts = dir.write("hosts", original);
    ASSERT_TRUE(
        apply_hosts_block(hosts, "shop", entries({{"api.shop.test", "127.0.0.1"}}), false).changed);
    EXPECT_EQ(read_file(hosts),
              original + "\n# BEGIN golaunch shop\n127.0.0.1 api.shop.test\n# END golaunch shop");
    // Changing the block keeps "no final newline"; removing it restores the file exactly.
    ASSERT_TRUE(
        apply_hosts_block(hosts, "shop", entries({{"web.shop.test", "127.0.0.1"}}), false).changed);
    EXPECT_EQ(read_file(hosts),
              original + "\n# BEGIN golaunch shop\n127.0.0.1 web.shop.test\n# END golaunch shop");
    ASSERT_TRUE(apply_hosts_block(hosts, "shop", {}, false).changed);
    EXPECT_EQ(read_file(hosts), original);
}

TEST(HostsBlock, EmptyFileGetsABlockAndLosesItAgain) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "");
    ASSERT_TRUE(
        apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), false).changed);
    EXPECT_EQ(read_file(hosts), "# BEGIN golaunch shop\n127.0.0.1 a.test\n# END golaunch shop\n");
    ASSERT_TRUE(apply_hosts_block(hosts, "shop", {}, false).changed);
    EXPECT_EQ(read_file(hosts), "");
}

TEST(HostsBlock, ReplacesTheBlockWhereItIsAndMergesDuplicates) {
    test::TempDir dir;
    const std::string before = "127.0.0.1 localhost\n";
    const std::string middle = "10.0.0.9 printer.lan\n";
    const auto hosts = dir.write("hosts", before +
                                              "# BEGIN golaunch shop\n127.0.0.1 old.shop.test\n"
                                              "# END golaunch shop\n" +
                                              middle +
                                              "# BEGIN golaunch shop\n127.0.0.1 dup.shop.test\n"
                                              "# END golaunch shop\n");
    const auto edit =
        apply_hosts_block(hosts, "shop", entries({{"new.shop.test", "127.0.0.1"}}), false);
    EXPECT_TRUE(edit.changed);
    EXPECT_EQ(edit.old_block,
              "# BEGIN golaunch shop\n127.0.0.1 old.shop.test\n# END golaunch shop");
    EXPECT_EQ(read_file(hosts), before +
                                    "# BEGIN golaunch shop\n127.0.0.1 new.shop.test\n"
                                    "# END golaunch shop\n" +
                                    middle);
}

TEST(HostsBlock, NamesAlreadyRightElsewhereAreNotDuplicated) {
    test::TempDir dir;
    const std::string original = "127.0.0.1 localhost\n127.0.0.1 api.shop.test\n"
                                 "10.0.0.5 db.shop.test\n";
    const auto hosts = dir.write("hosts", original);
    const auto edit = apply_hosts_block(hosts, "shop",
                                        entries({{"API.shop.test", "127.0.0.1"},
                                                 {"db.shop.test", "127.0.0.1"},
                                                 {"web.shop.test", "127.0.0.1"},
                                                 {"web.shop.test", "127.0.0.1"}}),
                                        false);
    EXPECT_TRUE(edit.changed);
    EXPECT_EQ(read_file(hosts),
              original + "# BEGIN golaunch shop\n127.0.0.1 web.shop.test\n# END golaunch shop\n");
    ASSERT_EQ(edit.notes.size(), 2u);
    EXPECT_EQ(edit.notes[0], "API.shop.test already maps to 127.0.0.1 at line 2: not added");
    EXPECT_NE(edit.notes[1].find("db.shop.test maps to 10.0.0.5 at line 3, outside the golaunch "
                                 "block: not changed"),
              std::string::npos)
        << edit.notes[1];
}

TEST(HostsBlock, NothingToAddAndNoBlockLeavesTheFileAlone) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 api.shop.test");
    const auto edit =
        apply_hosts_block(hosts, "shop", entries({{"api.shop.test", "127.0.0.1"}}), false);
    EXPECT_FALSE(edit.changed);
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"hosts"});
}

TEST(HostsBlock, DryRunReportsButWritesNothing) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    const auto before = stat_of(hosts);
    const auto edit = apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), true);
    EXPECT_TRUE(edit.changed);
    EXPECT_EQ(edit.new_block, "# BEGIN golaunch shop\n127.0.0.1 a.test\n# END golaunch shop");
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n");
    EXPECT_TRUE(same_mtime(before, stat_of(hosts)));
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"hosts"});
}

TEST(HostsBlock, TheBackupIsWrittenOnceAndKeepsThePristineFile) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    ASSERT_TRUE(
        apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), false).backup_created);
    const auto second = apply_hosts_block(hosts, "shop", entries({{"b.test", "127.0.0.1"}}), false);
    EXPECT_TRUE(second.changed);
    EXPECT_FALSE(second.backup_created);
    EXPECT_EQ(read_file(hosts.string() + ".golaunch.bak"), "127.0.0.1 localhost\n");
}

TEST(HostsBlock, AnUnterminatedBlockIsRefusedWithItsLine) {
    test::TempDir dir;
    const std::string original = "127.0.0.1 localhost\n# BEGIN golaunch shop\n127.0.0.1 a.test\n";
    const auto hosts = dir.write("hosts", original);
    try {
        apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), false);
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what())
                      .find(hosts.string() + ":2:1: '# BEGIN golaunch shop' "
                                             "has no matching"),
                  std::string::npos)
            << error.what();
        EXPECT_NE(error.hint().find("# END golaunch shop"), std::string::npos) << error.hint();
    }
    EXPECT_EQ(read_file(hosts), original);
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"hosts"});
}

TEST(HostsBlock, RefusesToWriteInvalidEntries) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    EXPECT_THROW(apply_hosts_block(hosts, "shop", entries({{"a.test\nevil", "127.0.0.1"}}), false),
                 Error);
    EXPECT_THROW(apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.x"}}), false),
                 Error);
    EXPECT_THROW(apply_hosts_block(hosts, "sh\nop", entries({{"a.test", "127.0.0.1"}}), false),
                 Error);
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n");
}

TEST(HostsBlock, RefusesAProjectNameWithSurroundingSpaces) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    for (const char* name : {" shop", "shop ", "\tshop"}) {
        try {
            apply_hosts_block(hosts, name, entries({{"a.test", "127.0.0.1"}}), false);
            ADD_FAILURE() << "accepted '" << name << "'";
        } catch (const Error& error) {
            EXPECT_EQ(std::string(error.what()),
                      "the project name '" + std::string(name) +
                          "' starts or ends with a space, and golaunch marks its hosts block "
                          "with it");
            EXPECT_EQ(error.hint(), "remove the spaces: `name = \"shop\"` in the manifest");
        }
    }
    EXPECT_EQ(read_file(hosts), "127.0.0.1 localhost\n");
    EXPECT_EQ(files_in(dir.path()).size(), 1u);
}

TEST(HostsBlock, KeepsModeAndOwnerAndReplacesAtomically) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "needs root to give the file another owner";
    }
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    ASSERT_EQ(::chmod(hosts.c_str(), 0640), 0);
    ASSERT_EQ(::chown(hosts.c_str(), 65534, 65534), 0);
    const auto before = stat_of(hosts);
    ASSERT_TRUE(
        apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), false).changed);
    const auto after = stat_of(hosts);
    EXPECT_EQ(after.st_mode & 07777, 0640u);
    EXPECT_EQ(after.st_uid, 65534u);
    EXPECT_EQ(after.st_gid, 65534u);
    EXPECT_NE(after.st_ino, before.st_ino) << "replaced by rename, not rewritten";
    const auto backup = stat_of(hosts.string() + ".golaunch.bak");
    EXPECT_EQ(backup.st_mode & 07777, 0640u);
    EXPECT_EQ(backup.st_uid, 65534u);
}

TEST(HostsBlock, ExtendedAttributesGoWithTheNewFile) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    const std::string label = "net_conf_t-like";
    if (::setxattr(hosts.c_str(), "user.golaunch_test", label.data(), label.size(), 0) != 0) {
        GTEST_SKIP() << "no user xattrs on this file system: " << std::strerror(errno);
    }
    ASSERT_TRUE(
        apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), false).changed);
    char value[64] = {};
    const auto size = ::getxattr(hosts.c_str(), "user.golaunch_test", value, sizeof value);
    EXPECT_EQ(std::string(value, size > 0 ? static_cast<std::size_t>(size) : 0), label);
}

TEST(HostsBlock, ASymlinkedHostsFileKeepsItsLink) {
    test::TempDir dir;
    const auto real = dir.write("real-hosts", "127.0.0.1 localhost\n");
    const auto link = dir.path() / "hosts";
    std::filesystem::create_symlink(real, link);
    ASSERT_TRUE(apply_hosts_block(link, "shop", entries({{"a.test", "127.0.0.1"}}), false).changed);
    EXPECT_TRUE(std::filesystem::is_symlink(link));
    EXPECT_EQ(
        read_file(real),
        "127.0.0.1 localhost\n# BEGIN golaunch shop\n127.0.0.1 a.test\n# END golaunch shop\n");
}

// A missing hosts file reads as empty to every resolver (glibc, Windows), so `fix` creates it
// holding only the block: mode 0644, nothing to back up, no file left beside it.
TEST(HostsBlock, AMissingFileIsCreatedWithOnlyTheBlockAndNoBackup) {
    test::TempDir dir;
    const auto hosts = dir.path() / "hosts";
    const auto dry = apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), true);
    EXPECT_TRUE(dry.changed);
    EXPECT_TRUE(dry.created);
    EXPECT_TRUE(files_in(dir.path()).empty()) << "a dry run creates nothing";

    const auto edit = apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), false);
    EXPECT_TRUE(edit.changed);
    EXPECT_TRUE(edit.created);
    EXPECT_FALSE(edit.backup_created);
    EXPECT_TRUE(edit.backup.empty());
    EXPECT_EQ(read_file(hosts), "# BEGIN golaunch shop\n127.0.0.1 a.test\n# END golaunch shop\n");
    EXPECT_EQ(stat_of(hosts).st_mode & 07777, 0644U);
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"hosts"});

    const auto again = apply_hosts_block(hosts, "shop", entries({{"a.test", "127.0.0.1"}}), false);
    EXPECT_FALSE(again.changed);
    EXPECT_FALSE(again.created);
}

TEST(HostsBlock, NothingToWriteIntoAMissingFileCreatesNothing) {
    test::TempDir dir;
    const auto edit = apply_hosts_block(dir.path() / "hosts", "shop", {}, false);
    EXPECT_FALSE(edit.changed);
    EXPECT_FALSE(edit.created);
    EXPECT_TRUE(files_in(dir.path()).empty());
}

// Only a path with nothing at it is created: a dangling link is refused (whatever it points
// at stays uncreated), and so is a file in a directory that does not exist.
TEST(HostsBlock, ADanglingLinkOrAMissingDirectoryIsRefusedNotCreated) {
    test::TempDir dir;
    const auto link = dir.path() / "hosts";
    std::filesystem::create_symlink(dir.path() / "elsewhere", link);
    EXPECT_THROW(apply_hosts_block(link, "shop", entries({{"a.test", "127.0.0.1"}}), false), Error);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "elsewhere"));
    EXPECT_THROW(apply_hosts_block(dir.path() / "etc" / "hosts", "shop",
                                   entries({{"a.test", "127.0.0.1"}}), false),
                 Error);
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{"hosts"});
}

} // namespace
} // namespace golaunch
