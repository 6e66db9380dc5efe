// service-dir-missing / service-dir-not-directory (errors): a service's `dir`, its working
// directory, must be a directory. Otherwise `run` passes the preflight and the service fails
// at start (chdir), after the others have started; found here, `check` says it first.
#pragma once

#include "preflight/check_context.hpp"

#include <vector>

namespace golaunch {

std::vector<Finding> check_service_dirs(const CheckContext& context);

} // namespace golaunch
