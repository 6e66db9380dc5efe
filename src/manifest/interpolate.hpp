// ${ports.SERVICE.NAME} interpolation in args and env.
#pragma once

#include "manifest/manifest.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

// Replaces ${ports.svc.name} (and ${port} / ${ports.name} meaning this service's own port)
// with the assigned numbers. `$$` is a literal `$`; a `$` before anything but `{` or `$` stays.
// Throws Error (exit code 2) on an unknown reference. ${port} is resolved here only when the
// service has exactly one port (the loader has already rewritten it, see canonical_references).
std::string interpolate(const std::string& text, const std::string& service_name,
                        const PortAssignments& ports);

// Lists every ${...} reference in `text` that cannot be resolved against the manifest;
// used at load time so that mistakes are reported with file:line:col.
std::vector<std::string> unresolved_references(const std::string& text,
                                               const std::string& service_name,
                                               const Manifest& manifest);

// The same, with the byte offset in `text` where each reference starts (for templates, whose
// errors are located in the template text).
struct ReferenceAt {
    std::size_t offset = 0;
    std::string text; // as written; an unterminated one runs to the end of `text`
};
std::vector<ReferenceAt> unresolved_references_at(std::string_view text,
                                                  const std::string& service_name,
                                                  const Manifest& manifest);

// A hint for one reference returned by unresolved_references, e.g.
// "service 'db' has no port 'pgx'; did you mean 'pg'?".
std::string explain_reference(const std::string& reference, const std::string& service_name,
                              const Manifest& manifest);

// Rewrites ${port} to ${ports.SERVICE.FIRST} (the service's first declared port), so that the
// reference keeps its meaning where only PortAssignments (unordered) are at hand. The loader
// applies it to every args, env, cmd and shell string; other text is left byte for byte.
std::string canonical_references(const std::string& text, const ServiceSpec& service);

} // namespace golaunch
