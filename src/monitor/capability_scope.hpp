// Whether a task holds a capability over a user namespace: the kernel's rule (cap_capable),
// restated over plain facts so that it can be tested without namespaces. The bind monitor needs
// it because it performs the service's bind() on a thread of golaunch's own: that thread must
// hold CAP_NET_BIND_SERVICE over the socket's network namespace exactly when the service does.
// The kernel asks the user namespace that owns the socket's network namespace, not the
// service's own user namespace (where `unshare -U -r` gives it every capability).
#pragma once

#include <cstdint>
#include <vector>

namespace golaunch {

// A namespace's identity: the device and inode of its nsfs file.
struct NamespaceId {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    bool operator==(const NamespaceId&) const = default;
};

// One user namespace on the way from the one that owns the socket's network namespace towards
// the initial one: its id and the effective uid of its creator (its owner).
struct UserNamespaceStep {
    NamespaceId id;
    std::uint32_t owner_uid = 0;
};

// A task's credentials, as far as the rule needs them.
struct CapabilityHolder {
    NamespaceId user_ns; // the task's own user namespace
    std::uint32_t euid = 0;
    bool has_in_own_ns = false; // the capability is in its effective set
};

// `chain[0]` is the user namespace the question is about; each next one is the previous one's
// parent, as far as the caller could follow them. True when `holder` has the capability there:
// it lives in that namespace with the capability effective, or it is the owner (by euid) of a
// namespace on the chain whose parent is the holder's own namespace. A chain that never reaches
// the holder's namespace (it lives below, or beside, or the chain was cut short) gives false:
// never more than the kernel would grant.
bool holds_capability_over(const std::vector<UserNamespaceStep>& chain,
                           const CapabilityHolder& holder);

} // namespace golaunch
