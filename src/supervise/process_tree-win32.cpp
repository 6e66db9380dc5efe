#include "supervise/process_tree.hpp"

#include "supervise/exit_status.hpp"

#include <windows.h>

namespace golaunch {

bool ProcessTree::alive() const {
    if (!m_job) {
        return false;
    }
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
    if (!::QueryInformationJobObject(m_job.get(), JobObjectBasicAccountingInformation, &info,
                                     sizeof info, nullptr)) {
        return false;
    }
    return info.ActiveProcesses > 0;
}

// The service was created with CREATE_NEW_PROCESS_GROUP: its pid is the console process group
// id, and CTRL_BREAK (unlike CTRL_C) can be sent to one group. Go sees it as os.Interrupt.
bool ProcessTree::contains(int) const {
    return false; // the Job Object has no cheap membership test; it is not needed on Windows
}

bool ProcessTree::request_stop() const {
    if (!m_job || m_id <= 0) {
        return false;
    }
    return ::GenerateConsoleCtrlEvent(CTRL_BREAK_EVENT, static_cast<DWORD>(m_id)) != 0;
}

void ProcessTree::kill() const {
    if (m_job) {
        ::TerminateJobObject(m_job.get(), k_killed_exit_code);
    }
}

// The Job Object holds every descendant already: nothing to adopt.
void ProcessTree::adopt_group(int) const {}

std::vector<int> ProcessTree::adopted_groups() const {
    return {};
}

const char* stop_request_name() {
    return "CTRL_BREAK";
}

const char* kill_name() {
    return "TerminateJobObject";
}

const char* tree_kind_name() {
    return "job";
}

bool trees_hold_all_descendants() {
    return true;
}

} // namespace golaunch
