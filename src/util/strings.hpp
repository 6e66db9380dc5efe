// Small string helpers shared by every layer.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

std::string_view trim(std::string_view text);
std::vector<std::string> split(std::string_view text, char separator);
std::string join(const std::vector<std::string>& parts, std::string_view separator);
bool starts_with(std::string_view text, std::string_view prefix);
// The first line of `text`, without surrounding blanks ("" for none): a tool's error message.
std::string first_line(std::string_view text);

// Quotes an argv element for display the way a POSIX shell would need it.
std::string shell_quote(std::string_view arg);
std::string shell_join(const std::vector<std::string>& argv);

// Edit distance, used for "did you mean" hints.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `word`, or "" when none is close enough to be a likely typo.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

// Rows as columns two spaces apart (each line indented by two), each column padded to its
// widest cell, up to the first column too wide to pad (over 48: a long command line): from
// there on, cells just follow each other. Trailing spaces are cut.
std::string render_columns(const std::vector<std::vector<std::string>>& rows);

} // namespace golaunch
