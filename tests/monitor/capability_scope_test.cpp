#include "monitor/capability_scope.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

const NamespaceId k_init{1, 100};
const NamespaceId k_child{1, 200};      // created by uid 1000 in the initial namespace
const NamespaceId k_grandchild{1, 300}; // created by uid 0 of k_child
const NamespaceId k_other{1, 400};      // a sibling of k_child, created by uid 65534

std::vector<UserNamespaceStep> chain_from(const NamespaceId& start) {
    std::vector<UserNamespaceStep> chain;
    if (start == k_grandchild) {
        chain.push_back({k_grandchild, 1000}); // uid 0 inside k_child is uid 1000 outside
    }
    if (start == k_grandchild || start == k_child) {
        chain.push_back({k_child, 1000});
    }
    if (start == k_other) {
        chain.push_back({k_other, 65534});
    }
    chain.push_back({k_init, 0});
    return chain;
}

TEST(CapabilityScope, InItsOwnNamespaceTheEffectiveSetDecides) {
    EXPECT_TRUE(holds_capability_over(chain_from(k_init), {k_init, 0, true}));
    EXPECT_FALSE(holds_capability_over(chain_from(k_init), {k_init, 0, false}));
    EXPECT_FALSE(holds_capability_over(chain_from(k_init), {k_init, 65534, false}));
}

// The reproduction: nobody runs `unshare -U -r` (all capabilities in k_other) and binds
// a socket of the host's network namespace (owned by k_init).
TEST(CapabilityScope, ACapabilityInAChildNamespaceIsNothingInTheParent) {
    EXPECT_FALSE(holds_capability_over(chain_from(k_init), {k_other, 0, true}));
    EXPECT_FALSE(holds_capability_over(chain_from(k_init), {k_child, 0, true}));
    EXPECT_FALSE(holds_capability_over(chain_from(k_child), {k_grandchild, 0, true}));
}

TEST(CapabilityScope, TheSocketsOwnNamespaceCountsWhenTheHolderLivesThere) {
    EXPECT_TRUE(holds_capability_over(chain_from(k_other), {k_other, 0, true}));
    EXPECT_FALSE(holds_capability_over(chain_from(k_other), {k_other, 1, false}));
}

TEST(CapabilityScope, TheOwnerOfAChildNamespaceHoldsEverythingInIt) {
    // uid 1000 of the initial namespace created k_child: no capability of its own needed.
    EXPECT_TRUE(holds_capability_over(chain_from(k_child), {k_init, 1000, false}));
    EXPECT_FALSE(holds_capability_over(chain_from(k_child), {k_init, 1001, false}));
    // root of the initial namespace with the capability effective holds it everywhere below.
    EXPECT_TRUE(holds_capability_over(chain_from(k_grandchild), {k_init, 0, true}));
    // ...but without it, only as an owner, and k_child is not root's.
    EXPECT_FALSE(holds_capability_over(chain_from(k_grandchild), {k_init, 0, false}));
    // The owner rule applies to the namespace whose parent is the holder's, not further down:
    // k_child's uid 0 (1000 outside) created k_grandchild.
    EXPECT_TRUE(holds_capability_over(chain_from(k_grandchild), {k_child, 1000, false}));
}

TEST(CapabilityScope, ASiblingNamespaceHoldsNothing) {
    EXPECT_FALSE(holds_capability_over(chain_from(k_child), {k_other, 0, true}));
    EXPECT_FALSE(holds_capability_over(chain_from(k_other), {k_child, 65534, true}));
}

TEST(CapabilityScope, AChainCutShortNeverGrants) {
    EXPECT_FALSE(holds_capability_over({}, {k_init, 0, true}));
    EXPECT_FALSE(holds_capability_over({{k_child, 0}}, {k_init, 0, true}));
}

} // namespace
} // namespace golaunch
