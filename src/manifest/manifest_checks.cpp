#include "manifest/manifest_checks.hpp"

#include "manifest/dependency_order.hpp"
#include "manifest/file_templates.hpp"
#include "manifest/interpolate.hpp"
#include "manifest/source_error.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <string_view>
#include <unordered_set>

namespace golaunch {

namespace {

std::vector<std::string> service_names(const Manifest& manifest, const std::string& except) {
    std::vector<std::string> names;
    for (const auto& service : manifest.services) {
        if (service.name != except) {
            names.push_back(service.name);
        }
    }
    return names;
}

void check_dependencies(const TomlDocument& doc, const Manifest& manifest,
                        const std::vector<ServiceSources>& sources) {
    std::unordered_set<std::string_view> known; // not find_service: linear per lookup
    for (const auto& service : manifest.services) {
        known.insert(service.name);
    }
    for (std::size_t i = 0; i < manifest.services.size(); ++i) {
        const ServiceSpec& service = manifest.services[i];
        for (std::size_t j = 0; j < service.depends_on.size(); ++j) {
            const std::string& dependency = service.depends_on[j];
            const SourceLocation& where = sources[i].depends_on[j];
            if (dependency == service.name) {
                doc.fail(where, "service '" + service.name + "' depends on itself");
            }
            if (known.count(dependency) == 0) {
                const auto others = service_names(manifest, service.name);
                doc.fail(where, "unknown service '" + dependency + "' in depends_on",
                         did_you_mean(dependency, others, "services: " + join(others, ", ")));
            }
        }
    }
}

void check_cycles(const TomlDocument& doc, const Manifest& manifest,
                  const std::vector<ServiceSources>& sources) {
    const auto cycle = find_dependency_cycle(manifest);
    if (cycle.empty()) {
        return;
    }
    // Located at the first service's depends_on entry that leads into the cycle.
    const auto first = std::find_if(manifest.services.begin(), manifest.services.end(),
                                    [&](const ServiceSpec& s) { return s.name == cycle[0]; });
    const auto& depends_on = first->depends_on;
    const auto entry = std::find(depends_on.begin(), depends_on.end(), cycle[1]);
    const auto& where = sources[static_cast<std::size_t>(first - manifest.services.begin())]
                            .depends_on[static_cast<std::size_t>(entry - depends_on.begin())];
    doc.fail(where, "dependency cycle: " + join(cycle, " -> "),
             "services in a cycle can never start; remove one of these depends_on entries");
}

bool comes_before(const SourceLocation& a, const SourceLocation& b) {
    return a.line != b.line ? a.line < b.line : a.column < b.column;
}

void check_duplicate_ports(const TomlDocument& doc, const Manifest& manifest) {
    struct Declared {
        const ServiceSpec* service;
        const PortSpec* port;
    };
    std::vector<Declared> declared;
    for (const auto& service : manifest.services) {
        for (const auto& port : service.ports) {
            declared.push_back({&service, &port});
        }
    }
    std::stable_sort(declared.begin(), declared.end(), [](const Declared& a, const Declared& b) {
        return comes_before(a.port->where, b.port->where);
    });
    std::map<std::uint16_t, Declared> first_by_number;
    for (const auto& current : declared) {
        const auto [found, inserted] = first_by_number.emplace(current.port->number, current);
        if (!inserted) {
            const Declared& first = found->second;
            doc.fail(current.port->where,
                     "port " + std::to_string(current.port->number) + " is already declared by " +
                         first.service->name + "." + first.port->name + " (" +
                         describe_location(first.port->where) + ")",
                     "give each port its own number");
        }
    }
}

void check_references(const TomlDocument& doc, const Manifest& manifest,
                      const std::vector<ServiceSources>& sources) {
    for (std::size_t i = 0; i < manifest.services.size(); ++i) {
        const std::string& service = manifest.services[i].name;
        for (const auto& [text, where] : sources[i].templates) {
            const auto unresolved = unresolved_references(text, service, manifest);
            if (unresolved.empty()) {
                continue;
            }
            const std::string& reference = unresolved.front();
            const bool closed = !reference.empty() && reference.back() == '}';
            doc.fail(where,
                     (closed ? "unknown reference '" : "unterminated reference '") + reference +
                         "'",
                     explain_reference(reference, service, manifest));
        }
    }
}

// No two `files` entries write the same file, and none writes over a template.
void check_file_targets(const TomlDocument& doc, const Manifest& manifest) {
    struct Written {
        const ServiceSpec* service;
        const FileTemplate* file;
    };
    std::map<std::filesystem::path, Written> targets;
    std::map<std::filesystem::path, const FileTemplate*> templates;
    for (const auto& service : manifest.services) {
        for (const auto& file : service.files) {
            templates.emplace(std::filesystem::path(file.from).lexically_normal(), &file);
        }
    }
    for (const auto& service : manifest.services) {
        for (const auto& file : service.files) {
            const auto target = project_relative_target(file.to);
            const auto [first, inserted] = targets.emplace(target, Written{&service, &file});
            if (!inserted) {
                doc.fail(file.to_where,
                         "'" + file.to + "' is already written by service '" +
                             first->second.service->name + "' (" +
                             describe_location(first->second.file->to_where) + ")",
                         "give each generated file its own 'to'");
            }
            if (const auto overwritten = templates.find(target); overwritten != templates.end()) {
                doc.fail(file.to_where,
                         "'" + file.to + "' is the template '" + overwritten->second->from + "' (" +
                             describe_location(overwritten->second->from_where) +
                             "); golaunch would overwrite it",
                         "write the generated file elsewhere, e.g. to = \".golaunch/" +
                             target.filename().string() + "\"");
            }
        }
    }
}

void canonicalize(ServiceSpec& service) {
    const auto rewrite = [&](std::string& text) {
        text = canonical_references(text, service);
    };
    std::for_each(service.args.begin(), service.args.end(), rewrite);
    std::for_each(service.cmd.begin(), service.cmd.end(), rewrite);
    for (auto& entry : service.env) {
        rewrite(entry.second);
    }
    rewrite(service.shell);
    rewrite(service.ready.url);
    rewrite(service.health.url);
    std::for_each(service.health.command.begin(), service.health.command.end(), rewrite);
    std::for_each(service.ready.command.begin(), service.ready.command.end(), rewrite);
}

} // namespace

void check_manifest(const TomlDocument& doc, Manifest& manifest,
                    const std::vector<ServiceSources>& sources) {
    check_dependencies(doc, manifest, sources);
    check_cycles(doc, manifest, sources);
    check_duplicate_ports(doc, manifest);
    check_references(doc, manifest, sources);
    check_file_targets(doc, manifest);
    for (auto& service : manifest.services) {
        canonicalize(service);
    }
}

} // namespace golaunch
