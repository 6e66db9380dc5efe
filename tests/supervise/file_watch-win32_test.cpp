// FileWatch on Windows (run under Wine in CI): ReadDirectoryChangesW through the loop's
// completion port reports a file written, one renamed in and one deleted, and nothing from a
// directory it does not watch.
#include "supervise/file_watch.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <set>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

// Runs the loop until `names` were all reported (or 10 s passed).
bool run_until(boost::asio::io_context& io, const std::set<std::string>& seen,
               const std::set<std::string>& names) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        io.run_for(50ms);
        io.restart();
        if (std::includes(seen.begin(), seen.end(), names.begin(), names.end())) {
            return true;
        }
    }
    return false;
}

TEST(FileWatchWin32, ReportsWritesRenamesAndDeletesInTheWatchedDirectoryOnly) {
    test::TempDir dir;
    std::filesystem::create_directories(dir.path() / "watched");
    std::filesystem::create_directories(dir.path() / "other");
    boost::asio::io_context io;
    std::set<std::string> seen;
    FileWatch watch(io, [&](const std::filesystem::path& path) {
        seen.insert(path.parent_path().filename().string() + "/" + path.filename().string());
    });
    watch.add(dir.path() / "watched");
    watch.add(dir.path() / "watched"); // once
    EXPECT_EQ(watch.size(), 1U);
    io.run_for(100ms); // the read is issued
    io.restart();
    std::ofstream(dir.path() / "watched" / "main.go") << "package main\n";
    std::ofstream(dir.path() / "other" / "skip.go") << "package other\n";
    std::ofstream(dir.path() / "watched" / "tmp.txt") << "x";
    std::filesystem::rename(dir.path() / "watched" / "tmp.txt", dir.path() / "watched" / "b.go");
    ASSERT_TRUE(run_until(io, seen, {"watched/main.go", "watched/b.go"}));
    std::filesystem::remove(dir.path() / "watched" / "main.go");
    seen.clear();
    ASSERT_TRUE(run_until(io, seen, {"watched/main.go"}));
    EXPECT_EQ(seen.count("other/skip.go"), 0U);
}

} // namespace
} // namespace golaunch
