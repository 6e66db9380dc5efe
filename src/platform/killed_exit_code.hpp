// Windows: the exit code golaunch gives every process it ends by force (TerminateJobObject,
// TerminateProcess): ERROR_PROCESS_ABORTED. A platform fact, shared by the supervisor (which
// describes such an exit as golaunch's doing) and the stale-process stop below it.
#pragma once

namespace golaunch {

inline constexpr unsigned long k_killed_exit_code = 1067;

} // namespace golaunch
