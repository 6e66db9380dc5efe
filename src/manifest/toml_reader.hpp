// Reading toml++ nodes into manifest values; every failure is a located error.
// Internal to src/manifest: the only header that exposes toml++.
#pragma once

#include "manifest/manifest.hpp"
#include "util/duration.hpp"

#include <toml++/toml.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

// The manifest text being read, so that errors can quote it.
class TomlDocument {
  public:
    TomlDocument(std::string_view text, std::string file) : m_text(text), m_file(std::move(file)) {}

    // Parses the text; a TOML syntax error becomes a located golaunch::Error.
    toml::table parse() const;

    SourceLocation where(const toml::source_region& region) const;
    SourceLocation where(const toml::node& node) const { return where(node.source()); }
    SourceLocation where(const toml::key& key) const { return where(key.source()); }
    SourceLocation nowhere() const { return {m_file, 0, 0}; }

    // Throws golaunch::Error (exit code 2) "FILE:LINE:COL: error: MESSAGE" + line + caret.
    [[noreturn]] void fail(const SourceLocation& where, const std::string& message,
                           std::string hint = {}) const;

    const std::string& file() const { return m_file; }
    std::string_view text() const { return m_text; }

  private:
    std::string_view m_text;
    std::string m_file;
};

struct TomlEntry {
    const toml::key* key;
    const toml::node* node;
};

// The entries of `table` in source order (toml++ keeps a table sorted by key).
std::vector<TomlEntry> entries_in_order(const toml::table& table);

// Fails at the first key, in source order, that is not in `allowed`:
// "unknown key 'prots' in [services.api]" (`context` = "in [services.api]") with the hint
// "did you mean 'ports'?", or the list of valid keys when nothing is close.
void check_keys(const TomlDocument& doc, const toml::table& table,
                const std::vector<std::string>& allowed, const std::string& context);

// "a string", "an integer", "a table", ...
std::string type_phrase(const toml::node& node);

// Readers that fail with "'NAME' must be a string, not an integer" (at the value) on a wrong type.
std::string read_string(const TomlDocument& doc, const std::string& name, const toml::node& node);
std::int64_t read_integer(const TomlDocument& doc, const std::string& name, const toml::node& node);
const toml::table& read_table(const TomlDocument& doc, const std::string& name,
                              const toml::node& node);
const toml::array& read_array(const TomlDocument& doc, const std::string& name,
                              const toml::node& node);
// Every element must be a string: "'args' must hold only strings, not an integer" at the element.
std::vector<std::string> read_string_array(const TomlDocument& doc, const std::string& name,
                                           const toml::node& node);
// "30s", "500ms", "1m30s"; else "invalid duration '5x' (write e.g. 500ms, 30s or 1m30s)".
Duration read_duration(const TomlDocument& doc, const std::string& name, const toml::node& node);

// One of `choices` (the manifest's spelling), as its index; else
// "invalid value 'alway' for 'restart' (expected no, on-failure or always)", hint did-you-mean.
std::size_t read_choice(const TomlDocument& doc, const std::string& name, const toml::node& node,
                        const std::vector<std::string>& choices);

// A hint "did you mean 'x'?" for `word`, or `fallback` when nothing is close.
std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates,
                         const std::string& fallback = {});

// "a, b or c"
std::string list_alternatives(const std::vector<std::string>& words,
                              const std::string& last_joiner);

} // namespace golaunch
