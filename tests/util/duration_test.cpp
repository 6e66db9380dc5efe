// Durations: "500ms", "30s", "1m30s".
#include "util/duration.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

TEST(Duration, ParsesUnitsAndCombinations) {
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("30s"), 30s);
    EXPECT_EQ(parse_duration("1m30s"), 90s);
    EXPECT_EQ(parse_duration("2h"), 2h);
    EXPECT_EQ(parse_duration("1h2m3s4ms"), 1h + 2min + 3s + 4ms);
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration("0s"), 0ms);
}

TEST(Duration, RejectsMalformedText) {
    for (const char* text : {"", "5", "5x", "s", "-1s", "1 s", "1.2.3s", "30sec", "ms"}) {
        EXPECT_EQ(parse_duration(text), std::nullopt) << text;
    }
}

TEST(Duration, FormatsForPeople) {
    EXPECT_EQ(format_duration(850ms), "850ms");
    EXPECT_EQ(format_duration(1200ms), "1.2s");
    EXPECT_EQ(format_duration(125s), "2m5s");
}

} // namespace
} // namespace golaunch
