#include "cli/cmd_run.hpp"

#include "cli/manifest_args.hpp"
#include "manifest/dependency_order.hpp"
#include "platform/socket_table.hpp"
#include "preflight/port_check.hpp"
#include "supervise/reporter.hpp"
#include "supervise/supervisor.hpp"
#include "util/color.hpp"
#include "util/error.hpp"

namespace golaunch {

namespace {

void report_finding(Reporter& reporter, const Finding& finding) {
    std::string text = finding.message;
    for (const auto& line : finding.evidence) {
        text += "\n    " + line;
    }
    if (!finding.remedy.empty()) {
        text += "\n    fix: " + finding.remedy;
    }
    reporter.event("preflight", "",
                   {{"id", finding.id},
                    {"severity", to_string(finding.severity)},
                    {"subject", finding.subject},
                    {"message", finding.message},
                    {"evidence", finding.evidence},
                    {"remedy", finding.remedy}},
                   "[" + finding.id + "] " + text,
                   finding.severity == Severity::error     ? 2
                   : finding.severity == Severity::warning ? 1
                                                           : 0);
}

} // namespace

int run_run(const RunCommandOptions& options) {
    const auto args = load_manifest_args(options.positionals);
    const auto order = dependency_order(args.manifest, args.services);
    Reporter reporter(options.json ? OutputMode::json : OutputMode::text, should_use_color(stdout),
                      options.quiet, options.verbose);
    reporter.set_services(order);

    const auto preflight = check_ports(args.manifest, order, system_socket_table(), true);
    for (const auto& finding : preflight.findings) {
        report_finding(reporter, finding);
    }
    if (has_errors(preflight.findings)) {
        reporter.event("preflight_failed", "",
                       {{"exit_code", static_cast<int>(ExitCode::preflight_failed)}},
                       "not starting: preflight found errors (golaunch check shows them again)", 2);
        return static_cast<int>(ExitCode::preflight_failed);
    }

    RunOptions run_options;
    run_options.selected = args.services;
    run_options.skip_build = options.skip_build;
    run_options.stop_when_ready = options.stop_when_ready;
    run_options.poll_interval = std::chrono::milliseconds(options.poll_interval_ms);
    Supervisor supervisor(args.manifest, preflight.assignments, run_options, reporter);
    return supervisor.run();
}

} // namespace golaunch
