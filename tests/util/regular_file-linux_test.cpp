// read_regular_file: a FIFO, a device and an oversized file are refused at once, by name.
#include "util/regular_file.hpp"

#include "util/hostile_files.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::k_instant;
using test::time_of;

TEST(RegularFile, ReadsARegularFile) {
    const test::TempDir dir;
    const auto path = dir.write("a.txt", std::string("one\0two\n", 8));
    const auto file = read_regular_file(path);
    EXPECT_TRUE(file.ok()) << file.problem;
    EXPECT_EQ(file.bytes, std::string("one\0two\n", 8));
}

TEST(RegularFile, AFifoIsRefusedWithoutBlocking) {
    const test::TempDir dir;
    const auto fifo = test::make_fifo(dir, "fifo");
    const test::FifoRescue rescue(fifo);
    FileContent file;
    EXPECT_LT(time_of([&] { file = read_regular_file(fifo); }), k_instant);
    EXPECT_EQ(file.problem, "not a regular file (a FIFO)");
    EXPECT_TRUE(file.bytes.empty());
    EXPECT_FALSE(rescue.rescued()) << "something blocked opening the FIFO";
}

TEST(RegularFile, DevZeroIsRefusedWithoutReading) {
    FileContent file;
    EXPECT_LT(time_of([&] { file = read_regular_file("/dev/zero"); }), k_instant);
    EXPECT_EQ(file.problem, "not a regular file (a character device)");
}

TEST(RegularFile, AFileOverTheCapIsRefusedNamingItsSize) {
    const test::TempDir dir;
    const auto big = test::make_sparse_file(dir, "big");
    FileContent file;
    EXPECT_LT(time_of([&] { file = read_regular_file(big); }), k_instant);
    EXPECT_EQ(file.problem, "too large (17825792 bytes; the limit is 16777216)");
    // A smaller cap applies the same way; exactly the cap is fine.
    const auto small = dir.write("small", "12345");
    EXPECT_EQ(read_regular_file(small, 4).problem, "too large (5 bytes; the limit is 4)");
    EXPECT_TRUE(read_regular_file(small, 5).ok());
}

TEST(RegularFile, ADirectoryAMissingFileAndASymlinkToAFifo) {
    const test::TempDir dir;
    EXPECT_EQ(read_regular_file(dir.path()).problem, "not a regular file (a directory)");
    EXPECT_EQ(read_regular_file(dir.path() / "nope").problem, "No such file or directory");
    const auto fifo = test::make_fifo(dir, "fifo");
    const test::FifoRescue rescue(fifo);
    std::filesystem::create_symlink(fifo, dir.path() / "link");
    EXPECT_EQ(read_regular_file(dir.path() / "link").problem, "not a regular file (a FIFO)");
    EXPECT_FALSE(rescue.rescued()) << "something blocked opening the FIFO";
}

} // namespace
} // namespace golaunch
