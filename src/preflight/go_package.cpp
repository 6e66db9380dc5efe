#include "preflight/go_package.hpp"

#include "preflight/go_source.hpp"
#include "util/regular_file.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <system_error>
#include <vector>

namespace golaunch {

namespace {

// A directory go takes as a path, not an import path: ".", "..", "./x", "../x", or absolute.
bool is_local_path(const std::string& package) {
    for (const char* prefix : {"./", "../", ".\\", "..\\"}) {
        if (starts_with(package, prefix)) {
            return true;
        }
    }
    return package == "." || package == ".." || std::filesystem::path(package).is_absolute();
}

// The clause of `file` (certain when `certain` and no constraint says otherwise), or nullopt
// when it cannot be read or holds no clause.
std::optional<GoPackageClause> clause_of(const std::filesystem::path& file, bool certain) {
    const FileContent content = read_regular_file(file);
    if (!content.ok()) {
        return std::nullopt;
    }
    const auto header = read_go_file_header(content.bytes);
    if (!header) {
        return std::nullopt;
    }
    return GoPackageClause{file, header->package, header->line, header->column,
                           certain && !header->constrained};
}

// The buildable .go files of `dir`, sorted by name (the order go reads them in).
std::vector<std::filesystem::path> buildable_files(const std::filesystem::path& dir) {
    std::vector<std::filesystem::path> files;
    std::error_code error;
    for (std::filesystem::directory_iterator it(dir, error), end; !error && it != end;
         it.increment(error)) {
        std::error_code ignored;
        if (is_buildable_go_file_name(it->path().filename().string()) &&
            std::filesystem::is_regular_file(it->path(), ignored)) {
            files.push_back(it->path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

GoPackage judge_directory(GoPackage package) {
    const auto files = buildable_files(package.dir);
    if (files.empty()) {
        package.kind = GoPackageKind::missing;
        package.problem = "has no Go files to build (test files aside)";
        return package;
    }
    std::optional<GoPackageClause> certain_other; // a certain file of another package
    std::optional<GoPackageClause> any_other;     // the first file of another package
    bool may_be_main = false;
    bool says_main = false;
    bool certainly_main = false; // a certain file says main
    for (const auto& file : files) {
        const auto clause = clause_of(file, !has_platform_suffix(file.filename().string()));
        if (!clause) {
            may_be_main = true; // unreadable or not Go: it could say anything
        } else if (clause->name == "main") {
            may_be_main = says_main = true;
            certainly_main = certainly_main || clause->certain;
        } else {
            if (clause->certain && !certain_other) {
                certain_other = clause;
            }
            if (!any_other) {
                any_other = clause;
            }
        }
    }
    if (certain_other || (!may_be_main && any_other)) {
        package.kind = GoPackageKind::not_main;
        package.clause = certain_other ? certain_other : any_other;
        package.mixed = certainly_main && certain_other;
    } else {
        package.kind = says_main ? GoPackageKind::main : GoPackageKind::unknown;
    }
    return package;
}

} // namespace

GoPackage read_go_package(const std::string& package, const std::filesystem::path& root_dir) {
    GoPackage result;
    if (!is_local_path(package) || package.find("...") != std::string::npos) {
        return result; // an import path or a pattern: only go can tell
    }
    result.dir = (root_dir / package).lexically_normal();
    if (!result.dir.has_filename() && result.dir.has_parent_path() &&
        result.dir != result.dir.root_path()) {
        result.dir = result.dir.parent_path(); // "cmd/api/" -> "cmd/api"
    }
    std::error_code error;
    const auto status = std::filesystem::status(result.dir, error);
    if (status.type() == std::filesystem::file_type::not_found) {
        result.kind = GoPackageKind::missing;
        result.problem = "does not exist";
        return result;
    }
    if (error) {
        return result; // not readable here: go will say
    }
    if (std::filesystem::is_directory(status)) {
        return judge_directory(std::move(result));
    }
    if (std::filesystem::is_regular_file(status) && result.dir.extension() == ".go") {
        // `go build ./tool.go`: the named file alone, whatever its constraints say.
        if (const auto clause = clause_of(result.dir, true)) {
            result.kind = clause->name == "main" ? GoPackageKind::main : GoPackageKind::not_main;
            if (result.kind == GoPackageKind::not_main) {
                result.clause = clause;
                result.clause->certain = true;
            }
        }
        return result;
    }
    result.kind = GoPackageKind::missing;
    result.problem = "is not a directory";
    return result;
}

} // namespace golaunch
