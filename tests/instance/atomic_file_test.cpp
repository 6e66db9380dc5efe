// The one "temp file, fsync, rename over, fsync the directory" primitive, on real files.
#include "instance/atomic_file.hpp"

#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace golaunch {
namespace {

using test::files_in;
using test::read_file;

unsigned mode_of(const std::filesystem::path& path) {
    return static_cast<unsigned>(std::filesystem::status(path).permissions());
}

ino_t inode_of(const std::filesystem::path& path) {
    struct stat info {};
    EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
    return info.st_ino;
}

TEST(AtomicFile, ReplacesKeepingTheModeAndLeavesNoTempFile) {
    test::TempDir dir;
    const auto file = dir.write("state.json", "old");
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
    const auto inode = inode_of(file);
    write_file_atomically(file, "new content\n");
    EXPECT_EQ(read_file(file), "new content\n");
    EXPECT_EQ(mode_of(file), 0600u);
    EXPECT_NE(inode_of(file), inode) << "a new file renamed over the old one";
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"state.json"}));
}

// Without the fsyncs (records of running processes) the replacement is the same rename.
TEST(AtomicFile, RunningOnlyIsTheSameReplacementWithoutTheSyncs) {
    test::TempDir dir;
    const auto file = dir.write("state.json", "old");
    ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
    const auto inode = inode_of(file);
    write_file_atomically(file, "new content\n", Durability::running_only);
    EXPECT_EQ(read_file(file), "new content\n");
    EXPECT_EQ(mode_of(file), 0600u);
    EXPECT_NE(inode_of(file), inode) << "a new file renamed over the old one";
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"state.json"}));
}

TEST(AtomicFile, CreatesMissingDirectoriesWithMode0644) {
    test::TempDir dir;
    const auto file = dir.path() / ".golaunch" / "ports.toml";
    write_file_atomically(file, "[ports]\n");
    EXPECT_EQ(read_file(file), "[ports]\n");
    EXPECT_EQ(mode_of(file), 0644u);
}

TEST(AtomicFile, AFailedRenameLeavesTheTargetAndNoTempFile) {
    test::TempDir dir;
    const auto target = dir.path() / "taken";
    std::filesystem::create_directories(target / "inside"); // rename over a non-empty directory
    try {
        write_file_atomically(target, "text");
        FAIL() << "expected an error";
    } catch (const Error& error) {
        EXPECT_NE(std::string(error.what()).find("cannot replace " + target.string()),
                  std::string::npos)
            << error.what();
    }
    EXPECT_TRUE(std::filesystem::is_directory(target / "inside"));
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"taken"}));
}

TEST(StagedFile, IsCompleteAndSyncedBeforeTheRenameAndRemovedWhenAbandoned) {
    test::TempDir dir;
    const auto target = dir.write("hosts", "old\n");
    std::filesystem::path temp;
    {
        StageOptions options;
        options.mode = 0640;
        StagedFile staged(target, "new\n", options);
        ASSERT_FALSE(staged.failure()) << staged.failure()->what();
        temp = staged.temp();
        EXPECT_EQ(temp.parent_path(), dir.path()) << "same directory, so rename is atomic";
        EXPECT_EQ(read_file(temp), "new\n");
        EXPECT_EQ(mode_of(temp), 0640u);
        EXPECT_EQ(read_file(target), "old\n");
    }
    EXPECT_FALSE(std::filesystem::exists(temp));
    EXPECT_EQ(read_file(target), "old\n");
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts"}));
}

TEST(StagedFile, AFixedTempNameLeftByACrashIsTruncatedAndReused) {
    test::TempDir dir;
    const auto target = dir.write("hosts", "old\n");
    const auto leftover = dir.write(".hosts.golaunch.tmp", std::string(10'000, 'x'));
    StageOptions options;
    options.temp = leftover;
    StagedFile staged(target, "new\n", options);
    ASSERT_FALSE(staged.failure()) << staged.failure()->what();
    EXPECT_EQ(staged.temp(), leftover);
    EXPECT_FALSE(staged.rename_into_place());
    EXPECT_EQ(read_file(target), "new\n");
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts"}));
}

TEST(StagedFile, AFixedTempNameThatIsASymlinkIsRefused) {
    test::TempDir dir;
    const auto target = dir.write("hosts", "old\n");
    const auto victim = dir.write("victim", "precious\n");
    std::filesystem::create_symlink(victim, dir.path() / ".hosts.golaunch.tmp");
    StageOptions options;
    options.temp = dir.path() / ".hosts.golaunch.tmp";
    StagedFile staged(target, "new\n", options);
    ASSERT_TRUE(staged.failure());
    EXPECT_EQ(staged.failure()->step, FileWriteFailure::Step::create);
    EXPECT_EQ(staged.failure()->error, ELOOP);
    EXPECT_EQ(read_file(victim), "precious\n");
    EXPECT_EQ(read_file(target), "old\n");
}

// Owner and extended attributes: HostsBlock.KeepsModeAndOwnerAndReplacesAtomically and
// HostsBlock.ExtendedAttributesGoWithTheNewFile, through remedy/safe_edit's use of StagedFile.

TEST(StagedFile, ACreateFailureNamesTheStepAndTouchesNothing) {
    test::TempDir dir;
    const auto target = dir.path() / "missing-dir" / "file";
    StagedFile staged(target, "new\n");
    ASSERT_TRUE(staged.failure());
    EXPECT_EQ(staged.failure()->step, FileWriteFailure::Step::create);
    EXPECT_EQ(staged.failure()->error, ENOENT);
    EXPECT_EQ(staged.failure()->what(), "create");
    EXPECT_TRUE(staged.rename_into_place()) << "a failed stage cannot be put in place";
    EXPECT_FALSE(std::filesystem::exists(target));
    EXPECT_EQ(files_in(dir.path()), std::vector<std::string>{});
}

} // namespace
} // namespace golaunch
