// go-not-main and go-package-missing (errors): a `go = "..."` service whose package is a
// library, or is not there. `go build -o BIN ./lib` of a library succeeds and writes an
// archive, and the service then fails with "Permission denied"; a missing directory fails the
// build. Both are found from the files before anything is built (preflight/go_package.hpp).
#pragma once

#include "preflight/check_context.hpp"

#include <vector>

namespace golaunch {

std::vector<Finding> check_go_packages(const CheckContext& context);

} // namespace golaunch
