#include "cli/cmd_fix.hpp"

#include "cli/manifest_args.hpp"
#include "instance/instance_lock.hpp"
#include "manifest/dependency_order.hpp"
#include "preflight/literal_port_check.hpp"
#include "preflight/preflight.hpp"
#include "preflight/report.hpp"
#include "remedy/fixer.hpp"
#include "util/color.hpp"
#include "util/error.hpp"

#include <algorithm>
#include <iostream>

namespace golaunch {

namespace {

PreflightResult check_view(const ManifestArgs& args, const std::vector<std::string>& order,
                           const FixCommandOptions& options) {
    PreflightOptions preflight_options;
    preflight_options.apply_policy = false;
    preflight_options.hosts_file = options.hosts_file;
    preflight_options.network = !options.no_network;
    return run_preflight(args.manifest, order, preflight_options);
}

nlohmann::json action_json(const FixAction& action) {
    nlohmann::json out{{"action", action.kind},    {"subject", action.subject},
                       {"text", action.text},      {"details", action.details},
                       {"done", action.done},      {"failed", action.failed},
                       {"skipped", action.skipped}};
    if (!action.hint.empty()) {
        out["hint"] = action.hint;
    }
    if (action.kind == "move-port" || action.kind == "override-into-manifest") {
        out["from"] = action.from;
        out["to"] = action.to;
    }
    return out;
}

std::string render_action(const FixAction& action, const Palette& palette) {
    std::string mark = palette.bold("plan:");
    if (action.failed) {
        mark = palette.red("failed:");
    } else if (action.skipped) {
        mark = palette.yellow("skipped:");
    } else if (action.done) {
        mark = palette.green("done:");
    }
    std::string out = "  " + mark + " " + action.text + "\n";
    for (const auto& line : action.details) {
        out += "      " + line + "\n";
    }
    if (!action.hint.empty()) {
        out += "      " + palette.bold("hint:") + " " + action.hint + "\n";
    }
    return out;
}

// The ports the actions move (or would move, in a dry run).
std::vector<PortMove> moves_of(const Manifest& manifest, const std::vector<FixAction>& actions) {
    std::vector<PortMove> moves;
    for (const auto& action : actions) {
        if (action.kind != "move-port" || action.failed || action.skipped || action.to == 0) {
            continue;
        }
        for (const auto& service : manifest.services) { // port numbers are unique
            for (const auto& port : service.ports) {
                if (port.number == action.from) {
                    moves.push_back({service.name, port.name, action.from, action.to});
                }
            }
        }
    }
    return moves;
}

// Errors no planned action addresses (dry run): what would remain.
std::vector<Finding> unaddressed_errors(const std::vector<Finding>& findings,
                                        const std::vector<FixAction>& actions) {
    std::vector<Finding> out;
    for (const auto& finding : findings) {
        if (finding.severity != Severity::error) {
            continue;
        }
        const bool addressed = std::any_of(actions.begin(), actions.end(), [&](const auto& a) {
            return !a.failed && !a.skipped && a.subject == finding.subject;
        });
        if (!addressed) {
            out.push_back(finding);
        }
    }
    return out;
}

} // namespace

int run_fix(const FixCommandOptions& options) {
    const auto args = load_manifest_args(options.positionals, options.hosts_file);
    // Not while a run holds the lock: fix could move ports or stop processes under it.
    const auto lock = options.dry_run ? nullptr
                                      : lock_instance_or_refuse(args.manifest.root_dir,
                                                                args.manifest.path, nullptr);
    const auto order = dependency_order(args.manifest, args.services);
    const auto before = check_view(args, order, options);
    FixRequest request{args.manifest, args.overrides, before};
    request.dry_run = options.dry_run;
    request.write_manifest = options.write;
    request.force = options.force;
    const auto actions = apply_fixes(request);

    std::vector<Finding> remaining;
    if (options.dry_run) {
        remaining = unaddressed_errors(before.findings, actions);
    } else if (!actions.empty()) {
        const auto again = load_manifest_args(options.positionals, options.hosts_file);
        remaining = again.override_findings;
        const auto after =
            check_view(again, dependency_order(again.manifest, again.services), options);
        remaining.insert(remaining.end(), after.findings.begin(), after.findings.end());
    } else {
        remaining = args.override_findings;
        remaining.insert(remaining.end(), before.findings.begin(), before.findings.end());
    }
    // A file named in args that still holds a moved port's old number: the move does not reach it.
    const auto literal =
        check_literal_ports(args.manifest, order, moves_of(args.manifest, actions));
    remaining.insert(remaining.end(), literal.begin(), literal.end());
    const bool any_failed =
        std::any_of(actions.begin(), actions.end(), [](const auto& a) { return a.failed; });
    const bool ok = !any_failed && !has_errors(remaining);

    if (options.json) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto& action : actions) {
            list.push_back(action_json(action));
        }
        const nlohmann::json out{{"manifest", args.manifest.path.string()},
                                 {"dry_run", options.dry_run},
                                 {"ok", ok},
                                 {"actions", std::move(list)},
                                 {"remaining", findings_to_json(remaining)}};
        std::cout << out.dump(2) << "\n";
    } else {
        Palette palette;
        palette.enabled = should_use_color(stdout);
        std::cout << (options.dry_run ? "golaunch fix --dry-run: nothing will be changed\n" : "");
        if (actions.empty()) {
            std::cout << "nothing to fix automatically\n";
        }
        for (const auto& action : actions) {
            std::cout << render_action(action, palette);
        }
        if (!remaining.empty()) {
            std::cout << (options.dry_run ? "would remain:\n" : "remaining:\n")
                      << render_findings(remaining, palette);
        }
        const auto failures =
            std::count_if(actions.begin(), actions.end(), [](const auto& a) { return a.failed; });
        std::string verdict;
        if (ok) {
            verdict = palette.green(options.dry_run ? "fix would succeed" : "fix done");
        } else if (failures > 0) {
            verdict = palette.red("fix incomplete (" + std::to_string(failures) + " failed)");
        } else {
            verdict = palette.red(options.dry_run ? "fix would leave errors" : "errors remain");
        }
        std::cout << verdict << ": " << summarize_findings(remaining) << "\n";
    }
    return static_cast<int>(ok ? ExitCode::ok : ExitCode::preflight_failed);
}

} // namespace golaunch
