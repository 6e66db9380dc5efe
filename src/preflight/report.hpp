// Findings for people (grouped, coloured) and for scripts (JSON).
#pragma once

#include "preflight/finding.hpp"
#include "util/color.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace golaunch {

// Errors first, then warnings, then info; each with its evidence and remedy indented.
std::string render_findings(const std::vector<Finding>& findings, const Palette& palette);

nlohmann::json findings_to_json(const std::vector<Finding>& findings);

} // namespace golaunch
