#include "support/golaunch_run.hpp"

#include <sys/wait.h>

namespace golaunch::test {

int exit_code_of(int wait_status) {
    return WIFEXITED(wait_status) ? WEXITSTATUS(wait_status) : -1;
}

} // namespace golaunch::test
