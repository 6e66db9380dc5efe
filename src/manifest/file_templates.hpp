// `files = [{ from = "prometheus.yml.in", to = ".golaunch/prometheus.yml" }]`: config files that
// services read, generated from templates with the ports of the run (issue 13, item 4), so that a
// port moved by next-free or `golaunch fix` reaches them as it reaches args and env.
//
// A template uses the same ${ports.SERVICE.NAME} / ${ports.NAME} / ${port} references and `$$`
// as args and env; a mistake is a located error in the template itself (file:line:col, the line
// and a caret). This unit is pure text and paths; instance/service_files writes the results.
#pragma once

#include "manifest/manifest.hpp"

#include <filesystem>
#include <string>
#include <string_view>

namespace golaunch {

// `to` made relative and normal ("./a/../b.conf" -> "b.conf"), or an empty path when it does not
// name a file inside the project directory (absolute, a root name, "..", ".", a trailing '/').
std::filesystem::path project_relative_target(const std::string& to);

// The template's name in messages: beside the manifest as the user named it
// ("prometheus.yml.in", or "/work/shop/prometheus.yml.in" for /work/shop/app.toml).
std::string template_display_name(const Manifest& manifest, const FileTemplate& file);

// Throws the located error (exit code 2) for the first ${...} in `text` that does not resolve.
void check_template_text(std::string_view text, const std::string& display_name,
                         const ServiceSpec& service, const Manifest& manifest);

// Every template of every service must be a readable regular file (at most 16 MiB) whose
// references resolve. An unreadable one is located at its `from` in `manifest_text`.
void check_file_templates(const Manifest& manifest, std::string_view manifest_text);

// `text` with the references replaced by `ports` and `$$` by `$`; checked first (as above).
std::string render_file_template(std::string_view text, const std::string& display_name,
                                 const ServiceSpec& service, const Manifest& manifest,
                                 const PortAssignments& ports);

} // namespace golaunch
