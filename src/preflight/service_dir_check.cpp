#include "preflight/service_dir_check.hpp"

#include "manifest/source_error.hpp"
#include "util/regular_file.hpp"
#include "util/strings.hpp"

#include <filesystem>
#include <system_error>

namespace golaunch {

namespace {

constexpr const char* k_relative_note = "(it is relative to the manifest's directory)";

Finding dir_finding(const ServiceSpec& service, const std::filesystem::path& path) {
    Finding finding;
    finding.severity = Severity::error;
    finding.subject = service.name;
    finding.message = "service " + service.name + " cannot start: its directory " + path.string();
    finding.evidence = {describe_location(service.dir_where) + ": dir = \"" + service.dir + "\""};
    return finding;
}

} // namespace

std::vector<Finding> check_service_dirs(const CheckContext& context) {
    std::vector<Finding> findings;
    for (const auto* service : selected_services(context)) {
        if (service->dir.empty()) {
            continue; // the manifest's own directory
        }
        auto path = (context.manifest.root_dir / service->dir).lexically_normal();
        if (!path.has_filename() && path.has_relative_path()) {
            path = path.parent_path(); // "srv/" -> "srv"
        }
        std::error_code error;
        const auto status = std::filesystem::status(path, error);
        if (status.type() == std::filesystem::file_type::not_found) {
            Finding finding = dir_finding(*service, path);
            finding.id = "service-dir-missing";
            finding.message += " does not exist";
            finding.remedy = "create it (`mkdir -p " + shell_quote(path.string()) +
                             "`) or correct dir " + k_relative_note;
            findings.push_back(std::move(finding));
        } else if (!error && !std::filesystem::is_directory(status)) {
            Finding finding = dir_finding(*service, path);
            finding.id = "service-dir-not-directory";
            finding.message += " is not a directory (" + file_type_text(status.type()) + ")";
            finding.remedy = std::string("point dir at a directory ") + k_relative_note;
            findings.push_back(std::move(finding));
        }
    }
    return findings;
}

} // namespace golaunch
