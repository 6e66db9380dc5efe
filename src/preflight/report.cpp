#include "preflight/report.hpp"

namespace golaunch {

namespace {

std::string label(Severity severity, const Palette& palette) {
    switch (severity) {
    case Severity::error:
        return palette.red("error");
    case Severity::warning:
        return palette.yellow("warning");
    case Severity::info:
        return palette.green("info");
    }
    return "?";
}

} // namespace

std::string render_findings(const std::vector<Finding>& findings, const Palette& palette) {
    std::string out;
    for (const Severity severity : {Severity::error, Severity::warning, Severity::info}) {
        for (const auto& finding : findings) {
            if (finding.severity != severity) {
                continue;
            }
            out += label(severity, palette) + " [" + finding.id + "] " + finding.message + "\n";
            for (const auto& line : finding.evidence) {
                out += "    " + line + "\n";
            }
            if (!finding.remedy.empty()) {
                out += "    " + palette.bold("fix:") + " " + finding.remedy + "\n";
            }
        }
    }
    return out;
}

nlohmann::json findings_to_json(const std::vector<Finding>& findings) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& finding : findings) {
        out.push_back({{"id", finding.id},
                       {"severity", to_string(finding.severity)},
                       {"subject", finding.subject},
                       {"message", finding.message},
                       {"evidence", finding.evidence},
                       {"remedy", finding.remedy}});
    }
    return out;
}

} // namespace golaunch
