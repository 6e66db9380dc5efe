#include "cli/cmd_run.hpp"

#include "cli/manifest_args.hpp"
#include "instance/atomic_file.hpp"
#include "instance/instance_lock.hpp"
#include "instance/service_files.hpp"
#include "instance/state_file.hpp"
#include "manifest/dependency_order.hpp"
#include "preflight/preflight.hpp"
#include "preflight/report.hpp"
#include "supervise/containment.hpp"
#include "supervise/reporter.hpp"
#include "supervise/supervisor.hpp"
#include "util/color.hpp"
#include "util/error.hpp"

#include <unistd.h>

#include <algorithm>

namespace golaunch {

namespace {

// What golaunch itself did about a port, and a file it could not follow there: always shown in
// full.
bool is_action(const Finding& finding) {
    return finding.id == "port-moved" || finding.id == "stale-stopped" ||
           finding.id == "port-override" || finding.id == "port-literal-in-file";
}

// In JSON mode every finding is an event. In text mode errors and golaunch's own actions are
// shown in full; warnings are summed up in one line (`golaunch check` has the details) and
// other info is shown only with --verbose, so that a run starts with what matters.
// Returns true when the finding's text was left out.
bool report_finding(Reporter& reporter, const Finding& finding, bool verbose) {
    std::string text = finding.message;
    for (const auto& line : finding.evidence) {
        text += "\n    " + line;
    }
    if (!finding.remedy.empty()) {
        text += "\n    fix: " + finding.remedy;
    }
    const bool shown = verbose || finding.severity == Severity::error || is_action(finding);
    nlohmann::json fields{{"id", finding.id},
                          {"severity", to_string(finding.severity)},
                          {"subject", finding.subject},
                          {"message", finding.message},
                          {"evidence", finding.evidence},
                          {"remedy", finding.remedy},
                          {"fix", finding.fix}};
    // The finding's fields, but no nulls: an event's "service" is a name or absent.
    fields.update(finding_fields_to_json(finding.fields));
    for (const char* key : {"service", "port_name", "port", "address", "pid"}) {
        if (fields[key].is_null()) {
            fields.erase(key);
        }
    }
    reporter.event("preflight", "", fields, shown ? "[" + finding.id + "] " + text : std::string(),
                   finding.severity == Severity::error     ? 2
                   : finding.severity == Severity::warning ? 1
                                                           : 0);
    return !shown;
}

void report_findings(Reporter& reporter, const std::vector<Finding>& findings, bool verbose,
                     bool json) {
    std::vector<std::string> hidden_warnings;
    for (const auto& finding : findings) {
        if (report_finding(reporter, finding, verbose) && finding.severity == Severity::warning) {
            hidden_warnings.push_back(finding.id + " (" + finding.subject + ")");
        }
    }
    if (!json && !hidden_warnings.empty()) {
        std::string line = "preflight: " + std::to_string(hidden_warnings.size()) +
                           (hidden_warnings.size() == 1 ? " warning: " : " warnings: ");
        for (std::size_t i = 0; i < hidden_warnings.size(); ++i) {
            line += (i > 0 ? ", " : "") + hidden_warnings[i];
        }
        reporter.warn("", "preflight-warnings",
                      line + "; `golaunch check` (or run -v) shows the details");
    }
}

// Records this instance in .golaunch/state.json for as long as it runs, so that a later
// golaunch can recognise the services it leaves behind if it is killed.
class InstanceRecordGuard {
  public:
    InstanceRecordGuard(const Manifest& manifest, Reporter& reporter)
        : m_file(state_file_path(manifest.root_dir)) {
        try {
            const std::string hash = content_hash(read_whole_file(manifest.path));
            record_instance(m_file, current_instance(manifest.path, hash));
            m_recorded = true;
        } catch (const std::exception& e) {
            reporter.warn("", "state-not-recorded",
                          std::string("cannot record this run in the state file (") + e.what() +
                              "); a later golaunch will not recognise its stale services");
        }
    }
    ~InstanceRecordGuard() {
        if (!m_recorded) {
            return;
        }
        try {
            forget_instance(m_file, ::getpid());
        } catch (const std::exception&) {
            // Best effort: a leftover record of a dead instance is pruned by the next run.
        }
    }
    InstanceRecordGuard(const InstanceRecordGuard&) = delete;
    InstanceRecordGuard& operator=(const InstanceRecordGuard&) = delete;

  private:
    std::filesystem::path m_file;
    bool m_recorded = false;
};

} // namespace

int run_run(const RunCommandOptions& options) {
    const auto args = load_manifest_args(options.positionals, options.hosts_file);
    const auto order = dependency_order(args.manifest, args.services);
    Reporter reporter(options.json ? OutputMode::json : OutputMode::text, should_use_color(stdout),
                      options.quiet, options.verbose);
    reporter.set_services(order);
    // One run per project directory: a second one refuses here, before touching anything.
    std::optional<LockOwner> stale_lock;
    const auto lock =
        lock_instance_or_refuse(args.manifest.root_dir, args.manifest.path, &stale_lock);
    if (stale_lock) {
        reporter.event("lock_recovered", "",
                       {{"pid", stale_lock->instance.pid},
                        {"started_at", stale_lock->instance.started_at},
                        {"command", stale_lock->command}},
                       stale_lock_message(*stale_lock), 1);
    }
    // What an earlier run left in its cgroups when it was killed together with its orphan
    // guard: stopped before the ports are checked (they may hold them).
    Duration longest_grace{0};
    for (const auto& name : order) {
        longest_grace = std::max(longest_grace, args.manifest.find_service(name)->stop_grace);
    }
    stop_leftovers(args.manifest, longest_grace, reporter);
    PreflightOptions preflight_options;
    preflight_options.apply_policy = true;
    preflight_options.hosts_file = options.hosts_file;
    preflight_options.network = !options.no_network;
    const auto preflight = run_preflight(args.manifest, order, preflight_options);
    std::vector<Finding> findings = args.override_findings;
    findings.insert(findings.end(), preflight.findings.begin(), preflight.findings.end());
    // The port check's own findings first (what moved, what is taken), then the rest.
    report_findings(reporter, findings, options.verbose, options.json);
    if (has_errors(findings)) {
        if (!options.ignore_preflight) {
            reporter.event("preflight_failed", "",
                           {{"exit_code", static_cast<int>(ExitCode::preflight_failed)}},
                           "not starting: preflight found errors (`golaunch check` shows them "
                           "again, `golaunch fix` repairs what it can, --ignore-preflight starts "
                           "anyway)",
                           2);
            return static_cast<int>(ExitCode::preflight_failed);
        }
        const std::string warning =
            "WARNING: --ignore-preflight: starting despite the preflight errors above; services "
            "may fail to bind or be unreachable";
        reporter.event("preflight_ignored", "",
                       {{"errors", summary_to_json(findings)["errors"]}, {"message", warning}},
                       warning, 2);
    }
    // The ports are settled (next-free may have moved some): the `files` get them before any
    // service starts.
    for (const auto& file : write_service_files(args.manifest, order, preflight.assignments)) {
        reporter.event("file_written", file.service, {{"from", file.from}, {"to", file.to}},
                       "wrote " + file.to + " from " + file.from, 0);
    }
    const InstanceRecordGuard record(args.manifest, reporter);
    RunOptions run_options;
    run_options.selected = args.services;
    run_options.skip_build = options.skip_build;
    run_options.stop_when_ready = options.stop_when_ready;
    run_options.watch = options.watch;
    if (options.dashboard == "free") {
        run_options.dashboard_port = 0;
    } else if (!options.dashboard.empty()) {
        const auto& text = options.dashboard;
        const bool digits =
            text.size() <= 5 && text.find_first_not_of("0123456789") == std::string::npos;
        const int port = digits ? std::stoi(text) : 0;
        if (port < 1 || port > 65535) {
            throw usage_error("--dashboard=" + text + " is not a port",
                              "--dashboard serves on a free port; --dashboard=PORT on that one "
                              "(1-65535)");
        }
        run_options.dashboard_port = static_cast<std::uint16_t>(port);
    }
    run_options.poll_interval = std::chrono::milliseconds(options.poll_interval_ms);
    run_options.monitor = parse_monitor_kind(options.monitor);
    Supervisor supervisor(args.manifest, preflight.assignments, preflight.endpoints, run_options,
                          reporter);
    return supervisor.run();
}

} // namespace golaunch
