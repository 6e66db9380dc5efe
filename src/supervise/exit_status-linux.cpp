#include "supervise/exit_status.hpp"

#include <string.h>
#include <sys/wait.h>

namespace golaunch {

std::string describe_exit(int native_status) {
    if (WIFEXITED(native_status)) {
        return "exited with status " + std::to_string(WEXITSTATUS(native_status));
    }
    if (WIFSIGNALED(native_status)) {
        const int signo = WTERMSIG(native_status);
        const char* abbrev = ::sigabbrev_np(signo);
        return std::string("killed by ") + (abbrev != nullptr ? std::string("SIG") + abbrev
                                                              : "signal " + std::to_string(signo));
    }
    return "ended with wait status " + std::to_string(native_status);
}

bool exited_successfully(int native_status) {
    return WIFEXITED(native_status) && WEXITSTATUS(native_status) == 0;
}

} // namespace golaunch
