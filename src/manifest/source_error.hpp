// Errors located in the manifest text: "app.toml:12:5: error: ..." with the line and a caret.
#pragma once

#include "manifest/manifest.hpp"
#include "util/error.hpp"

#include <string>
#include <string_view>

namespace golaunch {

// "app.toml:12:5", "app.toml:12" or "app.toml", as far as the location is known.
std::string describe_location(const SourceLocation& where);

// The text of a located error:
//   app.toml:12:5: error: unknown key 'prots' in [services.api]
//      12 | prots = { http = 8080 }
//         |     ^
// The line number is right-aligned in a 4-wide gutter. Tabs before the caret are kept as tabs so
// the caret lines up in any terminal. Without a known line only the first line is produced.
std::string format_source_error(const SourceLocation& where, std::string_view source,
                                std::string_view message);

// The same, as a golaunch::Error with exit code 2 (usage or manifest error).
Error source_error(const SourceLocation& where, std::string_view source, std::string_view message,
                   std::string hint = {});

} // namespace golaunch
