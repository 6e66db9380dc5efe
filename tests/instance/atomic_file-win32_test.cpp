// The atomic-replace primitive and FileLock on Windows (MoveFileExW, LockFileEx), on real files.
#include "instance/atomic_file.hpp"

#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <windows.h>

#include <atomic>
#include <thread>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using test::files_in;
using test::read_file;

TEST(AtomicFileWin32, ReplacesAndLeavesNoTempFile) {
    test::TempDir dir;
    const auto file = dir.write("state.json", "old");
    write_file_atomically(file, "new content\n");
    EXPECT_EQ(read_file(file), "new content\n");
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"state.json"}));
}

TEST(AtomicFileWin32, CreatesMissingDirectories) {
    test::TempDir dir;
    const auto file = dir.path() / ".golaunch" / "ports.toml";
    write_file_atomically(file, "[ports]\n");
    EXPECT_EQ(read_file(file), "[ports]\n");
}

TEST(AtomicFileWin32, AFailedReplaceLeavesTheTargetAndNoTempFile) {
    test::TempDir dir;
    const auto target = dir.path() / "taken";
    std::filesystem::create_directories(target / "inside"); // cannot replace a directory
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

TEST(AtomicFileWin32, AReplaceRefusedWhileAnotherProgramHoldsTheFileLeavesItIntact) {
    test::TempDir dir;
    const auto file = dir.write("hosts", "old\n");
    // Open without FILE_SHARE_DELETE, as a program that keeps the file open would.
    const HANDLE holder = ::CreateFileW(file.wstring().c_str(), GENERIC_READ, FILE_SHARE_READ,
                                        nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
    ASSERT_NE(holder, INVALID_HANDLE_VALUE);
    EXPECT_THROW(write_file_atomically(file, "new\n"), Error);
    ::CloseHandle(holder);
    EXPECT_EQ(read_file(file), "old\n");
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts"}));
}

TEST(StagedFileWin32, IsCompleteBeforeTheRenameAndRemovedWhenAbandoned) {
    test::TempDir dir;
    const auto target = dir.write("hosts", "old\n");
    std::filesystem::path temp;
    {
        StagedFile staged(target, "new\n");
        ASSERT_FALSE(staged.failure()) << staged.failure()->reason();
        temp = staged.temp();
        EXPECT_EQ(temp.parent_path(), dir.path()) << "same directory, so the rename is atomic";
        EXPECT_EQ(read_file(temp), "new\n");
        EXPECT_EQ(read_file(target), "old\n");
    }
    EXPECT_FALSE(std::filesystem::exists(temp));
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts"}));
}

TEST(StagedFileWin32, AFixedTempNameLeftByACrashIsTruncatedAndReused) {
    test::TempDir dir;
    const auto target = dir.write("hosts", "old\n");
    const auto leftover = dir.write(".hosts.golaunch.tmp", std::string(10'000, 'x'));
    StageOptions options;
    options.temp = leftover;
    StagedFile staged(target, "new\n", options);
    ASSERT_FALSE(staged.failure()) << staged.failure()->reason();
    EXPECT_FALSE(staged.rename_into_place());
    EXPECT_EQ(read_file(target), "new\n");
    EXPECT_EQ(files_in(dir.path()), (std::vector<std::string>{"hosts"}));
}

TEST(StagedFileWin32, ACreateFailureNamesTheStepAndTheWin32Error) {
    test::TempDir dir;
    const auto target = dir.path() / "missing-dir" / "file";
    StagedFile staged(target, "new\n");
    ASSERT_TRUE(staged.failure());
    EXPECT_EQ(staged.failure()->step, FileWriteFailure::Step::create);
    EXPECT_EQ(staged.failure()->error, ERROR_PATH_NOT_FOUND);
    EXPECT_NE(staged.failure()->reason().find("(error 3)"), std::string::npos)
        << staged.failure()->reason();
    EXPECT_TRUE(staged.rename_into_place()) << "a failed stage cannot be put in place";
    EXPECT_FALSE(std::filesystem::exists(target));
}

TEST(FileLockWin32, ASecondLockWaitsUntilTheFirstIsReleased) {
    test::TempDir dir;
    const auto path = dir.path() / ".golaunch" / "lock";
    auto first = std::make_unique<FileLock>(path);
    std::atomic<bool> second_held{false};
    std::thread other([&] {
        const FileLock second(path);
        second_held = true;
    });
    std::this_thread::sleep_for(300ms);
    EXPECT_FALSE(second_held) << "LockFileEx must exclude another handle";
    first.reset();
    EXPECT_TRUE(test::eventually([&] { return second_held.load(); }, 10s));
    other.join();
}

} // namespace
} // namespace golaunch
