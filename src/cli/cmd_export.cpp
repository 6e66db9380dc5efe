#include "cli/cmd_export.hpp"

#include "cli/export_files.hpp"
#include "cli/manifest_args.hpp"
#include "instance/atomic_file.hpp"
#include "util/error.hpp"

#include <filesystem>
#include <iostream>

namespace golaunch {

int run_export(const ExportOptions& options) {
    const auto args = load_manifest_args(options.positionals, "");
    const Manifest& manifest = args.manifest;
    const auto ports = declared_ports(manifest);
    std::map<std::string, ServicePlan> plans;
    for (const auto& service : manifest.services) {
        // No environment of golaunch's own: only what the manifest gives the service.
        plans.emplace(service.name,
                      plan_service(manifest, service, ports, {}, 0, ProgramLookup::as_written));
    }
    const auto exported = options.kind == "systemd"   ? export_systemd(manifest, plans)
                          : options.kind == "compose" ? export_compose(manifest, plans)
                                                      : export_kubernetes(manifest, plans);
    const std::filesystem::path dir =
        options.output_dir.empty() ? manifest.root_dir / ".golaunch" / "export" / options.kind
                                   : std::filesystem::path(options.output_dir);
    std::error_code error;
    std::filesystem::create_directories(dir, error);
    if (error) {
        throw Error("cannot create " + dir.string() + ": " + error.message(),
                    ExitCode::service_failed, "give a writable directory with -o");
    }
    for (const auto& [name, content] : exported.files) {
        write_file_atomically(dir / name, content);
        std::cout << (dir / name).string() << "\n";
    }
    for (const auto& line : exported.unexpressed) {
        std::cerr << "golaunch: not expressed: " << line << "\n";
    }
    return 0;
}

} // namespace golaunch
