#include "supervise/probe_runner.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

// The probe's retries: quick at first (a server that is almost up is seen at once), never more
// than 500 ms apart (a server that came up is seen within half a second).
TEST(ProbeRunner, RetriesDoubleFrom10msAndAreCappedAt500ms) {
    EXPECT_EQ(ProbeRunner::retry_delay(0), 10ms);
    EXPECT_EQ(ProbeRunner::retry_delay(1), 20ms);
    EXPECT_EQ(ProbeRunner::retry_delay(5), 320ms);
    EXPECT_EQ(ProbeRunner::retry_delay(6), 500ms);
    EXPECT_EQ(ProbeRunner::retry_delay(7), 500ms);
    EXPECT_EQ(ProbeRunner::retry_delay(1000), 500ms) << "no overflow however long it waits";
}

} // namespace
} // namespace golaunch
