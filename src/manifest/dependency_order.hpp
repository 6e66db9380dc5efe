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

// A dependency cycle as the list of its services, the first repeated at the end
// ({"a", "b", "a"}), starting at the cycle's service that comes first in the file; empty when
// there is none. Dependencies on unknown services are ignored here.
std::vector<std::string> find_dependency_cycle(const Manifest& manifest);

} // namespace golaunch
