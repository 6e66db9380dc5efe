#include "supervise/process_tree.hpp"

namespace golaunch {

const char* ProcessTree::kind_name() const {
    return m_cgroup != nullptr ? "cgroup" : tree_kind_name();
}

} // namespace golaunch
