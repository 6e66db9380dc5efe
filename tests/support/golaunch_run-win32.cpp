#include "support/golaunch_run.hpp"

namespace golaunch::test {

// ChildProcess::wait_for gives the exit code itself on Windows.
int exit_code_of(int wait_status) {
    return wait_status;
}

} // namespace golaunch::test
