// The state file and the hosts block editor: a FIFO, /dev/zero or a 17 MiB file never blocks
// or floods them. The state file counts as damaged (ours, rewritten on the next run); the hosts
// editor refuses, naming the file, and changes nothing.
#include "instance/state_file.hpp"
#include "remedy/hosts_block.hpp"
#include "util/error.hpp"
#include "util/hostile_files.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::k_instant;
using test::time_of;

std::string state_problem(const std::filesystem::path& path) {
    std::string problem;
    std::vector<InstanceRecord> records;
    EXPECT_LT(time_of([&] { records = read_instances(path, &problem); }), k_instant) << path;
    EXPECT_TRUE(records.empty()) << path;
    return problem;
}

TEST(StateFileHostile, FifoDevZeroAndOversizedAreDamagedNotBlocking) {
    const test::TempDir dir;
    const auto fifo = test::make_fifo(dir, "state.json");
    const test::FifoRescue rescue(fifo);
    EXPECT_EQ(state_problem(fifo), fifo.string() + " is damaged (not a regular file (a FIFO))");
    EXPECT_EQ(state_problem("/dev/zero"),
              "/dev/zero is damaged (not a regular file (a character device))");
    const auto big = test::make_sparse_file(dir, "big.json");
    EXPECT_EQ(state_problem(big),
              big.string() + " is damaged (too large (17825792 bytes; the limit is 16777216))");
}

std::string hosts_edit_error(const std::filesystem::path& path) {
    std::string message;
    EXPECT_LT(time_of([&] {
                  try {
                      apply_hosts_block(path, "shop", {{"api.shop.test", "127.0.0.1", {}}}, false);
                      ADD_FAILURE() << "no error for " << path;
                  } catch (const Error& error) {
                      message = error.what();
                  }
              }),
              k_instant)
        << path;
    return message;
}

TEST(HostsBlockHostile, TheEditorRefusesAFifoOrAnOversizedHostsFile) {
    const test::TempDir dir;
    const auto fifo = test::make_fifo(dir, "hosts");
    const test::FifoRescue rescue(fifo);
    EXPECT_EQ(hosts_edit_error(fifo), "cannot read " + fifo.string() +
                                          ": not a regular file (a FIFO) (" + fifo.string() +
                                          " is unchanged)");
    const test::TempDir other;
    const auto big = test::make_sparse_file(other, "hosts");
    EXPECT_EQ(hosts_edit_error(big), "cannot read " + big.string() +
                                         ": too large (17825792 bytes; the limit is 16777216) (" +
                                         big.string() + " is unchanged)");
    EXPECT_EQ(std::filesystem::file_size(big), test::k_sparse_size);
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(other.path())) {
        ++files;
    }
    EXPECT_EQ(files, 1u) << "no backup, no temp file";
}

} // namespace
} // namespace golaunch
