// The per-service ring of `golaunch logs`: bounded by lines and by bytes, oldest dropped first,
// the last n of each service merged in time order.
#include "supervise/log_ring.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using std::chrono::system_clock;

std::vector<std::string> lines_of(const std::vector<LogEntry>& entries) {
    std::vector<std::string> lines;
    for (const auto& entry : entries) {
        lines.push_back(entry.service + ":" + entry.line);
    }
    return lines;
}

TEST(LogRing, KeepsTheLastLinesOfEachServiceUpToItsLineCount) {
    LogRing ring(3, 1 << 20);
    const auto t0 = system_clock::time_point{} + std::chrono::seconds(100);
    for (int i = 0; i < 10; ++i) {
        ring.append(t0 + std::chrono::milliseconds(i), "a", "stdout", "a" + std::to_string(i));
    }
    ring.append(t0 + std::chrono::milliseconds(5) + std::chrono::microseconds(1), "b", "stderr",
                "b0");
    EXPECT_EQ(lines_of(ring.last({"a"}, 10)), (std::vector<std::string>{"a:a7", "a:a8", "a:a9"}));
    EXPECT_EQ(lines_of(ring.last({"a"}, 2)), (std::vector<std::string>{"a:a8", "a:a9"}));
    EXPECT_EQ(lines_of(ring.last({}, 10)),
              (std::vector<std::string>{"b:b0", "a:a7", "a:a8", "a:a9"}));
    EXPECT_EQ(ring.last({"b"}, 10).at(0).stream, "stderr");
    EXPECT_TRUE(ring.last({"nobody"}, 10).empty());
}

TEST(LogRing, DropsTheOldestWhenTheBytesRunOutAndKeepsOneLongLine) {
    LogRing ring(100, 10);
    const auto now = system_clock::now();
    ring.append(now, "a", "stdout", "1234");
    ring.append(now, "a", "stdout", "5678");
    ring.append(now, "a", "stdout", "9012"); // 12 bytes: the first goes
    EXPECT_EQ(lines_of(ring.last({"a"}, 10)), (std::vector<std::string>{"a:5678", "a:9012"}));
    ring.append(now, "a", "stdout", std::string(50, 'x'));
    ASSERT_EQ(ring.last({"a"}, 10).size(), 1U);
    ring.append(now, "a", "stdout", "ab");
    ring.append(now, "a", "stdout", "cd");
    ring.append(now, "a", "stdout", "ef");
    EXPECT_EQ(lines_of(ring.last({"a"}, 10)), (std::vector<std::string>{"a:ab", "a:cd", "a:ef"}));
}

TEST(LogRing, WrapsAroundManyTimesWithoutLosingOrder) {
    LogRing ring(7, 1 << 20);
    const auto now = system_clock::now();
    for (int i = 0; i < 1000; ++i) {
        ring.append(now, "a", "stdout", std::to_string(i));
    }
    EXPECT_EQ(lines_of(ring.last({"a"}, 3)), (std::vector<std::string>{"a:997", "a:998", "a:999"}));
    EXPECT_EQ(ring.last({"a"}, 100).size(), 7U);
}

} // namespace
} // namespace golaunch
