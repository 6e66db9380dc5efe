// Exit statuses in words: "exited with status 3", "killed by SIGKILL" (Linux wait statuses),
// "terminated by golaunch (TerminateJobObject)" (Windows exit codes).
#pragma once

#include <string>

namespace golaunch {

std::string describe_exit(int native_status);
bool exited_successfully(int native_status);

// Windows: the exit code TerminateJobObject gives every process of a service's job
// (ERROR_PROCESS_ABORTED), so describe_exit can say who ended it.
inline constexpr unsigned long k_killed_exit_code = 1067;

} // namespace golaunch
