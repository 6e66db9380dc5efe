// Start order from depends_on.
#pragma once

#include "manifest/manifest.hpp"

#include <string>
#include <vector>

namespace golaunch {

// Topological order (dependencies first, file order among equals). When `selected` is not
// empty, only those services and their transitive dependencies. Throws on a cycle, naming it
// ("a -> b -> a").
std::vector<std::string> dependency_order(const Manifest& manifest,
                                          const std::vector<std::string>& selected = {});

} // namespace golaunch
