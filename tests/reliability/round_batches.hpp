// The many-round reliability tests run their rounds as k_round_batches tests, so that no single
// test runs long, even under ASan on two cores. GOLAUNCH_RELIABILITY_ROUNDS (default 100) is the
// total of each scenario; the number of tests is fixed, because the test list is read once at
// build time while the rounds are read when the tests run.
#pragma once

#include "support/process_set.hpp"

#include <algorithm>

namespace golaunch::test {

inline constexpr int k_round_batches = 10;
inline constexpr int k_default_total_rounds = 100;

struct RoundBatch {
    int first = 1; // 1-based, inclusive
    int last = 0;  // last < first: this batch has no round (a total below k_round_batches)
    int total = 0;
};

inline RoundBatch round_batch(int batch) {
    RoundBatch range;
    range.total = count_from_env("GOLAUNCH_RELIABILITY_ROUNDS", k_default_total_rounds);
    const int per_batch = (range.total + k_round_batches - 1) / k_round_batches;
    range.first = batch * per_batch + 1;
    range.last = std::min(range.total, range.first + per_batch - 1);
    return range;
}

} // namespace golaunch::test
