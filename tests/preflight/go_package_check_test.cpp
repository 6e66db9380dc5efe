// go-not-main / go-package-missing: a service's `go` package checked before it is built, on
// real files in temp dirs.
#include "manifest/loader.hpp"
#include "preflight/go_package_check.hpp"
#include "support/test_support.hpp"

#include "check_test_support.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::ids_of;

Manifest go_manifest_in(const test::TempDir& dir, const std::string& text) {
    return parse_manifest(text, "app.toml", dir.path());
}

std::vector<Finding> go_findings(const Manifest& manifest) {
    test::CheckFixture fixture{manifest, {}};
    return check_go_packages(fixture.context());
}

TEST(GoPackageCheck, LibraryIsNotMain) {
    const test::TempDir dir;
    dir.write("lib/lib.go", "package lib\n");
    const auto manifest = go_manifest_in(dir, "[services.api]\ngo = \"./lib\"\n");
    const auto findings = go_findings(manifest);
    ASSERT_EQ(ids_of(findings), std::vector<std::string>{"go-not-main"});
    EXPECT_EQ(findings[0].severity, Severity::error);
    EXPECT_EQ(findings[0].subject, "go api");
    EXPECT_EQ(findings[0].message, "service api: go = \"./lib\" is package lib, not package "
                                   "main: go build makes no program of it");
    EXPECT_EQ(
        findings[0].evidence,
        (std::vector<std::string>{"app.toml:2:6: go = \"./lib\"",
                                  (dir.path() / "lib" / "lib.go").string() + ":1:9: package lib"}));
    EXPECT_EQ(findings[0].remedy, "point go at the directory of a package main (the one with "
                                  "func main), e.g. ./cmd/api");
}

TEST(GoPackageCheck, OnlyConstrainedFilesSayWhyItIsNotMain) {
    const test::TempDir dir;
    dir.write("lib/x_linux.go", "package x\n");
    dir.write("lib/x_windows.go", "package x\n");
    const auto manifest = go_manifest_in(dir, "[services.api]\ngo = \"./lib\"\n");
    const auto findings = go_findings(manifest);
    ASSERT_EQ(ids_of(findings), std::vector<std::string>{"go-not-main"});
    EXPECT_EQ(findings[0].evidence,
              (std::vector<std::string>{
                  "app.toml:2:6: go = \"./lib\"",
                  (dir.path() / "lib" / "x_linux.go").string() + ":1:9: package x",
                  "no file of " + (dir.path() / "lib").string() + " says package main"}));
}

TEST(GoPackageCheck, AStrayFileOfAnotherPackageBesideMain) {
    const test::TempDir dir;
    dir.write("cmd/api/main.go", "package main\n\nfunc main() {}\n");
    dir.write("cmd/api/helper.go", "package helper\n");
    const auto manifest = go_manifest_in(dir, "[services.api]\ngo = \"./cmd/api\"\n");
    const auto findings = go_findings(manifest);
    ASSERT_EQ(ids_of(findings), std::vector<std::string>{"go-not-main"});
    EXPECT_EQ(findings[0].evidence,
              (std::vector<std::string>{"app.toml:2:6: go = \"./cmd/api\"",
                                        (dir.path() / "cmd" / "api" / "helper.go").string() +
                                            ":1:9: package helper",
                                        "other files of it say package main: go builds no "
                                        "package whose files disagree"}));
}

TEST(GoPackageCheck, MissingPackageAndMainPackage) {
    const test::TempDir dir;
    dir.write("cmd/api/main.go", "package main\n\nfunc main() {}\n");
    const auto manifest = go_manifest_in(dir, "[services.api]\ngo = \"./cmd/api\"\n"
                                              "[services.web]\ngo = \"./cmd/web\"\n"
                                              "[services.db]\ncmd = [\"true\"]\n");
    const auto findings = go_findings(manifest);
    ASSERT_EQ(ids_of(findings), std::vector<std::string>{"go-package-missing"});
    EXPECT_EQ(findings[0].subject, "go web");
    EXPECT_EQ(findings[0].message, "service web: go = \"./cmd/web\": " +
                                       (dir.path() / "cmd" / "web").string() + " does not exist");
    EXPECT_EQ(findings[0].evidence, std::vector<std::string>{"app.toml:4:6: go = \"./cmd/web\""});
    EXPECT_EQ(findings[0].remedy, "correct go: a package directory relative to the manifest's "
                                  "directory, e.g. ./cmd/web");
    EXPECT_EQ(finding_area(findings[0].id), "go");
}

} // namespace
} // namespace golaunch
