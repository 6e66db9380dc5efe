// project-dir-not-writable (error): golaunch keeps its files (lock, state, port overrides,
// built binaries) in .golaunch/ next to the manifest, and `run` and `fix` stop at once when this
// user may not create or write it (a checkout owned by someone else, a read-only mount).
// `check` writes nothing there, so it probes: found here, it says so before `run` fails.
#pragma once

#include "preflight/check_context.hpp"

#include <vector>

namespace golaunch {

std::vector<Finding> check_project_dir(const CheckContext& context);

} // namespace golaunch
