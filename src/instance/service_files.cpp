#include "instance/service_files.hpp"

#include "instance/project_file.hpp"
#include "manifest/file_templates.hpp"
#include "util/error.hpp"
#include "util/regular_file.hpp"

namespace golaunch {

namespace {

void write_files_of(const Manifest& manifest, const ServiceSpec& service,
                    const PortAssignments& ports, std::vector<WrittenFile>& written) {
    for (const auto& file : service.files) {
        const FileContent content = read_regular_file(manifest.root_dir / file.from);
        if (!content.ok()) {
            throw Error("cannot read template '" + file.from + "' of service '" + service.name +
                            "': " + content.problem,
                        ExitCode::usage, "`golaunch check` shows where it is named");
        }
        const std::string display = template_display_name(manifest, file);
        const auto target = project_relative_target(file.to);
        write_project_file(manifest.root_dir, target,
                           render_file_template(content.bytes, display, service, manifest, ports));
        written.push_back({service.name, file.from, target.generic_string()});
    }
}

} // namespace

std::vector<WrittenFile> write_service_files(const Manifest& manifest,
                                             const std::vector<std::string>& services,
                                             const PortAssignments& ports) {
    std::vector<WrittenFile> written;
    if (services.empty()) {
        for (const auto& service : manifest.services) {
            write_files_of(manifest, service, ports, written);
        }
        return written;
    }
    for (const auto& name : services) {
        if (const ServiceSpec* service = manifest.find_service(name)) {
            write_files_of(manifest, *service, ports, written);
        }
    }
    return written;
}

} // namespace golaunch
