// Exit statuses in words: "exited with status 3", "killed by SIGKILL" (Linux wait statuses),
// "terminated by golaunch (TerminateJobObject)" (Windows exit codes).
#pragma once

#include "platform/killed_exit_code.hpp" // describe_exit names it

#include <string>

namespace golaunch {

std::string describe_exit(int native_status);
bool exited_successfully(int native_status);

} // namespace golaunch
