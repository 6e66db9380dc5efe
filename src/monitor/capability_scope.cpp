#include "monitor/capability_scope.hpp"

namespace golaunch {

bool holds_capability_over(const std::vector<UserNamespaceStep>& chain,
                           const CapabilityHolder& holder) {
    for (std::size_t i = 0; i < chain.size(); ++i) {
        if (chain[i].id == holder.user_ns) {
            return holder.has_in_own_ns;
        }
        const bool parent_is_holders = i + 1 < chain.size() && chain[i + 1].id == holder.user_ns;
        if (parent_is_holders && chain[i].owner_uid == holder.euid) {
            return true; // the creator of a child namespace holds every capability in it
        }
    }
    return false;
}

} // namespace golaunch
