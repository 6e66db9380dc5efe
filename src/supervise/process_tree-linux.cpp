#include "supervise/process_tree.hpp"

#include "platform/cgroup.hpp"
#include "platform/process_info.hpp"

#include <signal.h>

#include <algorithm>

namespace golaunch {

bool ProcessTree::alive() const {
    if (m_cgroup != nullptr) {
        return m_cgroup->populated();
    }
    const auto adopted = adopted_groups();
    return process_group_alive(m_id) ||
           std::any_of(adopted.begin(), adopted.end(), process_group_alive);
}

bool ProcessTree::contains(int pid) const {
    if (m_cgroup == nullptr) {
        return false;
    }
    const auto pids = m_cgroup->pids();
    return std::find(pids.begin(), pids.end(), pid) != pids.end();
}

bool ProcessTree::request_stop() const {
    if (m_cgroup != nullptr) {
        const int signalled = m_cgroup->signal_all(SIGTERM);
        m_cgroup->signal_all(SIGCONT); // a stopped process acts on SIGTERM only once continued
        return signalled > 0 || !m_cgroup->populated();
    }
    if (m_id <= 1) {
        return false;
    }
    const bool sent = ::kill(-m_id, SIGTERM) == 0;
    ::kill(-m_id, SIGCONT);
    bool adopted_sent = false;
    for (const int pgid : adopted_groups()) {
        adopted_sent = ::kill(-pgid, SIGTERM) == 0 || adopted_sent;
        ::kill(-pgid, SIGCONT);
    }
    return sent || adopted_sent;
}

void ProcessTree::kill() const {
    if (m_cgroup != nullptr) {
        m_cgroup->kill();
        return;
    }
    if (m_id > 1) {
        ::kill(-m_id, SIGKILL);
    }
    for (const int pgid : adopted_groups()) {
        ::kill(-pgid, SIGKILL);
    }
}

void ProcessTree::adopt_group(int pgid) const {
    if (m_adopted && pgid > 1 && pgid != m_id &&
        std::find(m_adopted->begin(), m_adopted->end(), pgid) == m_adopted->end()) {
        m_adopted->push_back(pgid);
    }
}

// Groups that have emptied are dropped: their id may be handed to someone else.
std::vector<int> ProcessTree::adopted_groups() const {
    if (!m_adopted) {
        return {};
    }
    std::erase_if(*m_adopted, [](int pgid) { return !process_group_alive(pgid); });
    return *m_adopted;
}

const char* stop_request_name() {
    return "SIGTERM";
}

const char* kill_name() {
    return "SIGKILL";
}

const char* tree_kind_name() {
    return "process group";
}

bool trees_hold_all_descendants() {
    return false;
}

} // namespace golaunch
