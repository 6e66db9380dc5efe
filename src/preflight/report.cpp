#include "preflight/report.hpp"

#include <algorithm>

namespace golaunch {

namespace {

const char* const k_areas[] = {"ports", "hosts", "ipv6", "firewall", "go", "project", "other"};

std::string heading(Severity severity, std::size_t count, const Palette& palette) {
    const std::string n = " (" + std::to_string(count) + ")";
    switch (severity) {
    case Severity::error:
        return palette.bold(palette.red("errors")) + n;
    case Severity::warning:
        return palette.bold(palette.yellow("warnings")) + n;
    case Severity::info:
        return palette.bold(palette.green("info")) + n;
    }
    return "?";
}

std::size_t count(const std::vector<Finding>& findings, Severity severity) {
    return static_cast<std::size_t>(
        std::count_if(findings.begin(), findings.end(),
                      [&](const Finding& finding) { return finding.severity == severity; }));
}

std::string plural(std::size_t n, const std::string& one, const std::string& many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

} // namespace

std::string automatic_fix_text(const Finding& finding) {
    if (finding.fix == "move-port") {
        return "`golaunch fix` moves it to the next free port (into .golaunch/ports.toml; "
               "--write puts it in the manifest)";
    }
    if (finding.fix == "stop-stale") {
        return "`golaunch fix` stops golaunch's own stale processes";
    }
    if (finding.fix == "hosts-block") {
        return "`golaunch fix` (with the arguments of the fix: line) updates the project's "
               "golaunch block of the hosts file";
    }
    if (finding.fix == "stop-process") {
        return "`golaunch fix --force` stops it (SIGTERM, then SIGKILL)";
    }
    return finding.fix.empty() ? "" : "`golaunch fix` applies '" + finding.fix + "'";
}

std::string render_findings(const std::vector<Finding>& findings, const Palette& palette) {
    std::string out;
    for (const Severity severity : {Severity::error, Severity::warning, Severity::info}) {
        const std::size_t total = count(findings, severity);
        if (total == 0) {
            continue;
        }
        out += heading(severity, total, palette) + "\n";
        for (const char* area : k_areas) {
            bool titled = false;
            for (const auto& finding : findings) {
                if (finding.severity != severity || finding_area(finding.id) != area) {
                    continue;
                }
                if (!titled) {
                    out += "  " + palette.bold(area) + "\n";
                    titled = true;
                }
                out += "    [" + finding.id + "] " + finding.message + "\n";
                for (const auto& line : finding.evidence) {
                    out += "        " + line + "\n";
                }
                if (!finding.remedy.empty()) {
                    out += "        " + palette.bold("fix:") + " " + finding.remedy + "\n";
                }
                if (const auto automatic = automatic_fix_text(finding); !automatic.empty()) {
                    out += "        " + palette.bold("auto:") + " " + automatic + "\n";
                }
            }
        }
    }
    return out;
}

std::string summarize_findings(const std::vector<Finding>& findings) {
    const auto fixable = static_cast<std::size_t>(
        std::count_if(findings.begin(), findings.end(), fixable_automatically));
    std::string text = plural(count(findings, Severity::error), "error", "errors") + ", " +
                       plural(count(findings, Severity::warning), "warning", "warnings") + ", " +
                       std::to_string(count(findings, Severity::info)) + " info";
    if (fixable > 0) {
        text += "; " + std::to_string(fixable) + " fixable by `golaunch fix`";
    }
    return text;
}

nlohmann::json finding_fields_to_json(const FindingFields& fields) {
    const auto text = [](const std::string& value) {
        return value.empty() ? nlohmann::json() : nlohmann::json(value);
    };
    const auto number = [](auto value) {
        return value == 0 ? nlohmann::json() : nlohmann::json(value);
    };
    nlohmann::json out{{"service", text(fields.service)},
                       {"port_name", text(fields.port_name)},
                       {"port", number(fields.port)},
                       {"address", text(fields.address)},
                       {"pid", fields.holders.empty()
                                   ? nlohmann::json()
                                   : nlohmann::json(fields.holders.front().pid)}};
    if (!fields.holders.empty()) {
        nlohmann::json holders = nlohmann::json::array();
        for (const auto& holder : fields.holders) {
            holders.push_back({{"pid", holder.pid},
                               {"exe", holder.exe},
                               {"user", holder.user},
                               {"address", holder.address},
                               {"kind", holder.kind},
                               {"golaunch_pid", number(holder.golaunch_pid)}});
        }
        out["holders"] = std::move(holders);
    }
    if (fields.to != 0) {
        out["to"] = fields.to;
    }
    if (!fields.host.empty()) {
        out["host"] = fields.host;
    }
    if (!fields.file.empty()) {
        out["file"] = fields.file;
    }
    if (fields.line > 0) {
        out["line"] = fields.line;
    }
    if (fields.golaunch_pid != 0) {
        out["golaunch_pid"] = fields.golaunch_pid;
    }
    if (!fields.started_at.empty()) {
        out["started_at"] = fields.started_at;
    }
    return out;
}

nlohmann::json findings_to_json(const std::vector<Finding>& findings) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& finding : findings) {
        nlohmann::json entry{
            {"id", finding.id},
            {"severity", to_string(finding.severity)},
            {"area", finding_area(finding.id)},
            {"subject", finding.subject},
            {"message", finding.message},
            {"evidence", finding.evidence},
            {"remedy", finding.remedy},
            {"fix", finding.fix.empty() ? nlohmann::json() : nlohmann::json(finding.fix)},
            {"automatic", fixable_automatically(finding)}};
        entry.update(finding_fields_to_json(finding.fields));
        out.push_back(std::move(entry));
    }
    return out;
}

nlohmann::json summary_to_json(const std::vector<Finding>& findings) {
    return {{"errors", count(findings, Severity::error)},
            {"warnings", count(findings, Severity::warning)},
            {"info", count(findings, Severity::info)},
            {"fixable", std::count_if(findings.begin(), findings.end(), fixable_automatically)}};
}

} // namespace golaunch
