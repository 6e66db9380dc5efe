#include "cli/cmd_check.hpp"

#include "cli/manifest_args.hpp"
#include "manifest/dependency_order.hpp"
#include "preflight/preflight.hpp"
#include "preflight/report.hpp"
#include "util/color.hpp"
#include "util/error.hpp"

#include <cstdio>
#include <iostream>

namespace golaunch {

int run_check(const CheckCommandOptions& options) {
    const auto args = load_manifest_args(options.positionals, options.hosts_file);
    const auto order = dependency_order(args.manifest, args.services);
    PreflightOptions preflight_options;
    preflight_options.apply_policy = false;
    preflight_options.hosts_file = options.hosts_file;
    preflight_options.network = !options.no_network;
    auto result = run_preflight(args.manifest, order, preflight_options);
    std::vector<Finding> findings = args.override_findings;
    findings.insert(findings.end(), result.findings.begin(), result.findings.end());
    const bool failed = has_errors(findings);
    std::size_t port_count = 0;
    for (const auto& name : order) {
        port_count += args.manifest.find_service(name)->ports.size();
    }
    if (options.json) {
        const nlohmann::json out{{"manifest", args.manifest.path.string()},
                                 {"services", order},
                                 {"ok", !failed},
                                 {"summary", summary_to_json(findings)},
                                 {"findings", findings_to_json(findings)},
                                 {"ports", result.assignments},
                                 {"hosts_file", result.hosts_file.string()},
                                 {"network", !options.no_network}};
        std::cout << out.dump(2) << "\n";
    } else {
        Palette palette;
        palette.enabled = should_use_color(stdout);
        std::cout << render_findings(findings, palette);
        std::cout << (failed ? palette.red("check failed") : palette.green("check passed")) << ": "
                  << summarize_findings(findings) << " (" << port_count << " port(s) of "
                  << order.size() << " service(s) in " << args.manifest.path.string() << ")\n";
    }
    return static_cast<int>(failed ? ExitCode::preflight_failed : ExitCode::ok);
}

} // namespace golaunch
