// The dashboard's page (src/supervise/dashboard.html), compiled into golaunch by CMake: one
// self-contained HTML file (its CSS and script inline, nothing fetched from elsewhere).
#pragma once

#include <string_view>

namespace golaunch {

std::string_view dashboard_page();

} // namespace golaunch
