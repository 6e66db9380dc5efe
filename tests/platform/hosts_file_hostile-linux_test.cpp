// The hosts file read by the preflight: a FIFO, /dev/zero or a 17 MiB file gives the reason at
// once (the check then warns `hosts-file-unreadable`) instead of blocking or flooding.
#include "platform/hosts_file.hpp"

#include "util/hostile_files.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::k_instant;
using test::time_of;

std::string problem_reading(const std::filesystem::path& path) {
    std::string error;
    std::optional<HostsFile> file;
    EXPECT_LT(time_of([&] { file = read_hosts_file(path, &error); }), k_instant) << path;
    EXPECT_FALSE(file.has_value()) << path;
    return error;
}

TEST(HostsFileHostile, FifoDevZeroAndOversizedAreRefusedAtOnce) {
    const test::TempDir dir;
    const auto fifo = test::make_fifo(dir, "hosts");
    const test::FifoRescue rescue(fifo);
    EXPECT_EQ(problem_reading(fifo), "not a regular file (a FIFO)");
    EXPECT_EQ(problem_reading("/dev/zero"), "not a regular file (a character device)");
    EXPECT_EQ(problem_reading(test::make_sparse_file(dir, "big-hosts")),
              "too large (17825792 bytes; the limit is 16777216)");
    EXPECT_FALSE(rescue.rescued()) << "something blocked opening the FIFO";
}

} // namespace
} // namespace golaunch
