#include "manifest/file_templates.hpp"

#include "manifest/interpolate.hpp"
#include "manifest/source_error.hpp"
#include "util/regular_file.hpp"

#include <system_error>

namespace golaunch {

namespace {

bool is_utf8_continuation(char c) {
    return (static_cast<unsigned char>(c) & 0xC0) == 0x80;
}

// Line and column (in code points, as the caret counts them) of byte `offset` in `text`.
SourceLocation location_of(std::string_view text, std::size_t offset, const std::string& file) {
    SourceLocation where{file, 1, 1};
    std::size_t line_start = 0;
    for (std::size_t i = 0; i < offset; ++i) {
        if (text[i] == '\n') {
            ++where.line;
            line_start = i + 1;
        }
    }
    for (std::size_t i = line_start; i < offset; ++i) {
        where.column += is_utf8_continuation(text[i]) ? 0 : 1;
    }
    if (line_start == 0 && text.substr(0, 3) == "\xEF\xBB\xBF" && offset >= 3) {
        --where.column; // the byte order mark is not shown
    }
    return where;
}

} // namespace

std::filesystem::path project_relative_target(const std::string& to) {
    const std::filesystem::path path(to);
    if (to.empty() || path.has_root_path()) {
        return {};
    }
    const std::filesystem::path normal = path.lexically_normal();
    if (normal.empty() || !normal.has_filename() || normal.filename() == "." ||
        normal.filename() == ".." || *normal.begin() == "..") {
        return {};
    }
    return normal;
}

std::string template_display_name(const Manifest& manifest, const FileTemplate& file) {
    return (manifest.path.parent_path() / file.from).string();
}

void check_template_text(std::string_view text, const std::string& display_name,
                         const ServiceSpec& service, const Manifest& manifest) {
    const auto unresolved = unresolved_references_at(text, service.name, manifest);
    if (unresolved.empty()) {
        return;
    }
    std::string reference = unresolved.front().text;
    const bool closed = !reference.empty() && reference.back() == '}';
    if (!closed) {
        reference = reference.substr(0, reference.find_first_of("\r\n"));
    }
    throw source_error(location_of(text, unresolved.front().offset, display_name), text,
                       (closed ? "unknown reference '" : "unterminated reference '") + reference +
                           "' in a template of service '" + service.name + "'",
                       explain_reference(reference, service.name, manifest));
}

void check_file_templates(const Manifest& manifest, std::string_view manifest_text) {
    for (const auto& service : manifest.services) {
        for (const auto& file : service.files) {
            const std::filesystem::path path = manifest.root_dir / file.from;
            const FileContent content = read_regular_file(path);
            if (!content.ok()) {
                std::error_code error;
                const bool missing =
                    !std::filesystem::exists(std::filesystem::symlink_status(path, error));
                std::string named = "'" + file.from + "'";
                if (std::filesystem::path(file.from).is_relative()) {
                    named += " (" + path.lexically_normal().string() + ")";
                }
                throw source_error(
                    file.from_where, manifest_text,
                    "cannot read template " + named + " of service '" + service.name +
                        "': " + content.problem,
                    missing ? "create the template or correct 'from' (relative to the manifest)"
                            : "a template is a regular text file of at most 16 MiB, relative to "
                              "the manifest");
            }
            check_template_text(content.bytes, template_display_name(manifest, file), service,
                                manifest);
        }
    }
}

std::string render_file_template(std::string_view text, const std::string& display_name,
                                 const ServiceSpec& service, const Manifest& manifest,
                                 const PortAssignments& ports) {
    check_template_text(text, display_name, service, manifest);
    return interpolate(canonical_references(std::string(text), service), service.name, ports);
}

} // namespace golaunch
