#include "cli/cmd_check.hpp"

#include "cli/manifest_args.hpp"
#include "manifest/dependency_order.hpp"
#include "platform/socket_table.hpp"
#include "preflight/port_check.hpp"
#include "preflight/report.hpp"
#include "util/color.hpp"
#include "util/error.hpp"

#include <cstdio>
#include <iostream>

namespace golaunch {

int run_check(const CheckCommandOptions& options) {
    const auto args = load_manifest_args(options.positionals);
    const auto order = dependency_order(args.manifest, args.services);
    const auto result = check_ports(args.manifest, order, system_socket_table(), true);
    const bool failed = has_errors(result.findings);
    if (options.json) {
        nlohmann::json out{{"manifest", args.manifest.path.string()},
                           {"services", order},
                           {"ok", !failed},
                           {"findings", findings_to_json(result.findings)},
                           {"ports", result.assignments}};
        std::cout << out.dump(2) << "\n";
    } else {
        Palette palette;
        palette.enabled = should_use_color(stdout);
        std::size_t port_count = 0;
        for (const auto& name : order) {
            port_count += args.manifest.find_service(name)->ports.size();
        }
        std::cout << render_findings(result.findings, palette);
        std::cout << (failed ? palette.red("check failed") : palette.green("check passed")) << ": "
                  << port_count << " port(s) of " << order.size() << " service(s) in "
                  << args.manifest.path.string() << "\n";
    }
    return static_cast<int>(failed ? ExitCode::preflight_failed : ExitCode::ok);
}

} // namespace golaunch
