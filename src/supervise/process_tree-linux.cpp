#include "supervise/process_tree.hpp"

#include "platform/process_info.hpp"

#include <signal.h>

namespace golaunch {

bool ProcessTree::alive() const {
    return process_group_alive(m_id);
}

bool ProcessTree::request_stop() const {
    if (m_id <= 1) {
        return false;
    }
    const bool sent = ::kill(-m_id, SIGTERM) == 0;
    ::kill(-m_id, SIGCONT); // a stopped process acts on SIGTERM only once continued
    return sent;
}

void ProcessTree::kill() const {
    if (m_id > 1) {
        ::kill(-m_id, SIGKILL);
    }
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

} // namespace golaunch
