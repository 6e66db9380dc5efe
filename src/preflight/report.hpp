// Findings for people (grouped, coloured) and for scripts (JSON).
#pragma once

#include "preflight/finding.hpp"
#include "util/color.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace golaunch {

// Errors first, then warnings, then info; within each, grouped by area (ports, hosts, ipv6,
// firewall, go, other) in that order. Each finding with its evidence, its `fix:` line and,
// when `golaunch fix` can apply the remedy by itself, a line saying so.
std::string render_findings(const std::vector<Finding>& findings, const Palette& palette);

// "2 errors, 1 warning, 3 info; 2 fixable by `golaunch fix`"
std::string summarize_findings(const std::vector<Finding>& findings);

// What `golaunch fix` does for a finding's `fix` ("" when nothing).
std::string automatic_fix_text(const Finding& finding);

// The finding's fields (finding.hpp) as JSON: "service", "port_name", "port", "address" and
// "pid" (the first holder's) always, null when they do not apply; "holders", "to", "host",
// "file", "line", "golaunch_pid" and "started_at" only when set.
nlohmann::json finding_fields_to_json(const FindingFields& fields);

// One object per finding: id, severity, area, subject, message, evidence, remedy, fix (the
// automatic action or null), automatic (true when `golaunch fix` applies it without --force),
// and the fields of finding_fields_to_json.
nlohmann::json findings_to_json(const std::vector<Finding>& findings);

// Counts for scripts: {"errors": n, "warnings": n, "info": n, "fixable": n}.
nlohmann::json summary_to_json(const std::vector<Finding>& findings);

} // namespace golaunch
