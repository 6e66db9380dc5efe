#include "support/dead_instance.hpp"

#include "platform/process_info.hpp"

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace golaunch::test {

DeadInstance make_dead_instance() {
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (pid == 0) {
        ::pause();
        ::_exit(0);
    }
    DeadInstance dead;
    dead.pid = pid;
    if (const auto info = read_process_info(pid)) {
        dead.start_ticks = info->start_ticks;
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return dead;
}

} // namespace golaunch::test
