// The manifest's JSON Schema (config/golaunch.schema.json), compiled into golaunch by CMake.
#pragma once

#include <string_view>

namespace golaunch {

std::string_view manifest_schema_text();

} // namespace golaunch
