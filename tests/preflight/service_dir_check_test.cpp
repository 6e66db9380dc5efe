// service-dir-missing / service-dir-not-directory: a service's `dir` checked before it starts,
// on real files in temp dirs.
#include "manifest/loader.hpp"
#include "preflight/service_dir_check.hpp"
#include "support/test_support.hpp"
#include "util/strings.hpp"

#include "check_test_support.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::ids_of;

Manifest manifest_in(const test::TempDir& dir, const std::string& text) {
    return parse_manifest(text, "app.toml", dir.path());
}

std::vector<Finding> dir_findings(const Manifest& manifest,
                                  const std::vector<std::string>& selected = {}) {
    test::CheckFixture fixture{manifest, {}};
    auto context = fixture.context();
    context.services = selected;
    return check_service_dirs(context);
}

TEST(ServiceDirCheck, MissingDirIsAnErrorLocatedAtItsValue) {
    const test::TempDir dir;
    const auto manifest = manifest_in(dir, "[services.api]\n"
                                           "cmd = [\"true\"]\n"
                                           "dir = \"srv/api\"\n"
                                           "[services.web]\n"
                                           "cmd = [\"true\"]\n");
    const auto findings = dir_findings(manifest);
    ASSERT_EQ(ids_of(findings), std::vector<std::string>{"service-dir-missing"});
    const Finding& finding = findings[0];
    const auto path = (dir.path() / "srv" / "api").string();
    EXPECT_EQ(finding.severity, Severity::error);
    EXPECT_EQ(finding.subject, "api");
    EXPECT_EQ(finding.message,
              "service api cannot start: its directory " + path + " does not exist");
    EXPECT_EQ(finding.evidence, std::vector<std::string>{"app.toml:3:7: dir = \"srv/api\""});
    EXPECT_EQ(finding.remedy, "create it (`mkdir -p " + shell_quote(path) +
                                  "`) or correct dir (it is relative to the manifest's "
                                  "directory)");
    EXPECT_EQ(finding_area(finding.id), "project");
    EXPECT_TRUE(dir_findings(manifest, {"web"}).empty()); // only the selected services
}

TEST(ServiceDirCheck, DirThatIsAFileOrAbsoluteOrFine) {
    const test::TempDir dir;
    dir.write("notes.txt", "x\n");
    dir.write("srv/keep", "");
    const auto manifest =
        manifest_in(dir, "[services.api]\ncmd = [\"true\"]\ndir = \"./notes.txt\"\n"
                         "[services.web]\ncmd = [\"true\"]\ndir = \"srv\"\n"
                         "[services.abs]\ncmd = [\"true\"]\ndir = " +
                             test::toml_quoted((dir.path() / "gone").string()) + "\n");
    const auto findings = dir_findings(manifest);
    ASSERT_EQ(ids_of(findings),
              (std::vector<std::string>{"service-dir-not-directory", "service-dir-missing"}));
    EXPECT_EQ(findings[0].message, "service api cannot start: its directory " +
                                       (dir.path() / "notes.txt").string() +
                                       " is not a directory (a regular file)");
    EXPECT_EQ(findings[0].remedy,
              "point dir at a directory (it is relative to the manifest's directory)");
    EXPECT_EQ(findings[1].subject, "abs");
    EXPECT_EQ(findings[1].message, "service abs cannot start: its directory " +
                                       (dir.path() / "gone").string() + " does not exist");
}

} // namespace
} // namespace golaunch
