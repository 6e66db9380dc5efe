#include "manifest/toml_reader.hpp"

#include "manifest/source_error.hpp"
#include "manifest/toml_guard.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <cstdio>

namespace golaunch {

namespace {

bool comes_before(const toml::source_position& a, const toml::source_position& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
}

// Code points in line `line` of `text` (toml++ counts columns in code points).
int line_length(std::string_view text, int line) {
    std::size_t start = 0;
    for (int i = 1; i < line && start != std::string_view::npos; ++i) {
        start = text.find('\n', start);
        start = start == std::string_view::npos ? start : start + 1;
    }
    if (start == std::string_view::npos) {
        return 0;
    }
    int length = 0;
    for (std::size_t i = start; i < text.size() && text[i] != '\n' && text[i] != '\r'; ++i) {
        length += (static_cast<unsigned char>(text[i]) & 0xC0) != 0x80 ? 1 : 0;
    }
    return length;
}

// toml++ says "Error while parsing array: encountered end-of-file"; we say
// "syntax error in array: encountered end-of-file". A string that runs into the end of its
// line is reported by toml++ as a control character; we say what it is.
std::string reword_parse_error(std::string_view description, bool at_line_end) {
    constexpr std::string_view k_prefix = "Error while parsing ";
    const auto colon = description.find(": ");
    if (!starts_with(description, k_prefix) || colon == std::string_view::npos) {
        return "syntax error: " + std::string(description);
    }
    const std::string_view what = description.substr(k_prefix.size(), colon - k_prefix.size());
    const std::string_view detail = description.substr(colon + 2);
    if (what == "string" && at_line_end) {
        return "syntax error in string: missing closing quote";
    }
    if (what == "root table") {
        return "syntax error: " + std::string(detail);
    }
    return "syntax error in " + std::string(what) + ": " + std::string(detail);
}

[[noreturn]] void fail_type(const TomlDocument& doc, const std::string& name,
                            const toml::node& node, const std::string& wanted) {
    doc.fail(doc.where(node), "'" + name + "' must be " + wanted + ", not " + type_phrase(node));
}

// "U+00E9", as the message names a code point.
std::string code_point_name(char32_t code_point) {
    char text[16];
    std::snprintf(text, sizeof text, "U+%04X", static_cast<unsigned>(code_point));
    return text;
}

} // namespace

toml::table TomlDocument::parse() const {
    if (const auto hazard = find_toml_hazard(m_text)) {
        const SourceLocation location{m_file, hazard->line, hazard->column};
        const std::string name = code_point_name(hazard->code_point);
        if (hazard->in_multiline_string) {
            fail(location, "unsupported character " + name + " after a backslash",
                 "the TOML parser (toml++ 3.3) misreads it here; start the next line with an "
                 "ASCII character or drop the line-ending backslash");
        }
        fail(location, "unexpected character " + name,
             "outside quoted strings and comments only ASCII is allowed; quote the text");
    }
    try {
        return toml::parse(m_text, std::string_view(m_file));
    } catch (const toml::parse_error& error) {
        const SourceLocation location = where(error.source());
        const bool at_line_end = location.column > line_length(m_text, location.line);
        fail(location, reword_parse_error(error.description(), at_line_end));
    }
}

SourceLocation TomlDocument::where(const toml::source_region& region) const {
    return {m_file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

void TomlDocument::fail(const SourceLocation& where, const std::string& message,
                        std::string hint) const {
    throw source_error(where, m_text, message, std::move(hint));
}

std::vector<TomlEntry> entries_in_order(const toml::table& table) {
    std::vector<TomlEntry> entries;
    for (const auto& [key, node] : table) {
        entries.push_back({&key, &node});
    }
    std::stable_sort(entries.begin(), entries.end(), [](const TomlEntry& a, const TomlEntry& b) {
        return comes_before(a.key->source().begin, b.key->source().begin);
    });
    return entries;
}

void check_keys(const TomlDocument& doc, const toml::table& table,
                const std::vector<std::string>& allowed, const std::string& context) {
    for (const auto& entry : entries_in_order(table)) {
        const std::string key(entry.key->str());
        if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
            doc.fail(doc.where(*entry.key), "unknown key '" + key + "' " + context,
                     did_you_mean(key, allowed, "valid keys here: " + join(allowed, ", ")));
        }
    }
}

std::string type_phrase(const toml::node& node) {
    switch (node.type()) {
    case toml::node_type::table:
        return "a table";
    case toml::node_type::array:
        return "an array";
    case toml::node_type::string:
        return "a string";
    case toml::node_type::integer:
        return "an integer";
    case toml::node_type::floating_point:
        return "a float";
    case toml::node_type::boolean:
        return "a boolean";
    case toml::node_type::date:
        return "a date";
    case toml::node_type::time:
        return "a time";
    case toml::node_type::date_time:
        return "a date-time";
    default:
        return "nothing";
    }
}

std::string read_string(const TomlDocument& doc, const std::string& name, const toml::node& node) {
    const auto* value = node.as_string();
    if (value == nullptr) {
        fail_type(doc, name, node, "a string");
    }
    return value->get();
}

std::int64_t read_integer(const TomlDocument& doc, const std::string& name,
                          const toml::node& node) {
    const auto* value = node.as_integer();
    if (value == nullptr) {
        fail_type(doc, name, node, "an integer");
    }
    return value->get();
}

const toml::table& read_table(const TomlDocument& doc, const std::string& name,
                              const toml::node& node) {
    const auto* value = node.as_table();
    if (value == nullptr) {
        fail_type(doc, name, node, "a table");
    }
    return *value;
}

const toml::array& read_array(const TomlDocument& doc, const std::string& name,
                              const toml::node& node) {
    const auto* value = node.as_array();
    if (value == nullptr) {
        fail_type(doc, name, node, "an array");
    }
    return *value;
}

std::vector<std::string> read_string_array(const TomlDocument& doc, const std::string& name,
                                           const toml::node& node) {
    std::vector<std::string> out;
    for (const auto& element : read_array(doc, name, node)) {
        const auto* value = element.as_string();
        if (value == nullptr) {
            doc.fail(doc.where(element),
                     "'" + name + "' must hold only strings, not " + type_phrase(element),
                     "quote it: \"...\"");
        }
        out.push_back(value->get());
    }
    return out;
}

Duration read_duration(const TomlDocument& doc, const std::string& name, const toml::node& node) {
    const auto* value = node.as_string();
    if (value == nullptr) {
        doc.fail(doc.where(node), "'" + name + "' must be a string, not " + type_phrase(node),
                 "write a duration such as \"30s\", \"500ms\" or \"1m30s\"");
    }
    const auto duration = parse_duration(value->get());
    if (!duration) {
        doc.fail(doc.where(node),
                 "invalid duration '" + value->get() + "' (write e.g. 500ms, 30s or 1m30s)");
    }
    return *duration;
}

std::size_t read_choice(const TomlDocument& doc, const std::string& name, const toml::node& node,
                        const std::vector<std::string>& choices) {
    const std::string text = read_string(doc, name, node);
    const auto found = std::find(choices.begin(), choices.end(), text);
    if (found == choices.end()) {
        doc.fail(doc.where(node),
                 "invalid value '" + text + "' for '" + name + "' (expected " +
                     list_alternatives(choices, " or ") + ")",
                 did_you_mean(text, choices));
    }
    return static_cast<std::size_t>(found - choices.begin());
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates,
                         const std::string& fallback) {
    const std::string match = closest_match(word, candidates);
    return match.empty() ? fallback : "did you mean '" + match + "'?";
}

std::string list_alternatives(const std::vector<std::string>& words,
                              const std::string& last_joiner) {
    std::string out;
    for (std::size_t i = 0; i < words.size(); ++i) {
        if (i > 0) {
            out += i + 1 == words.size() ? last_joiner : ", ";
        }
        out += words[i];
    }
    return out;
}

} // namespace golaunch
