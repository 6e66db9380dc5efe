// Wait statuses in words: "exited with status 3", "killed by SIGKILL".
#pragma once

#include <string>

namespace golaunch {

std::string describe_exit(int native_status);
bool exited_successfully(int native_status);

} // namespace golaunch
