// Reads .env files: KEY=VALUE lines for a service's environment (`env_file` in the manifest).
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace golaunch {

using EnvEntries = std::vector<std::pair<std::string, std::string>>;

// Format, line by line:
//   # comment                  blank lines and comments are skipped
//   KEY=value                  unquoted: trimmed; " #" starts a comment
//   export KEY=value           an `export ` prefix is allowed
//   KEY='literal $value'       single quotes: taken as is (may span lines)
//   KEY="a\nb \"q\" \\"        double quotes: \n \r \t \" \\ escapes (may span lines)
// CRLF line endings are accepted. Entries come in file order; a later KEY repeats an earlier one.
// Throws a located golaunch::Error (exit code 2), as manifest errors are:
//   .env:3:5: error: expected KEY=VALUE
//       3 | not an assignment
//         |     ^
EnvEntries load_env_file(const std::filesystem::path& path);

// The same, from text in memory; `display_name` is used in messages.
EnvEntries parse_env_file(std::string_view text, const std::string& display_name);

} // namespace golaunch
