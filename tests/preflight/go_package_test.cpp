// What `go build` makes of a `go = "..."` package, read from its package clauses before the
// build: real files in temp dirs, and each layout checked against Debian's `go list`.
#include "platform/command_output.hpp"
#include "preflight/go_package.hpp"
#include "support/test_support.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <ostream>
#include <string>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

const char* kind_name(GoPackageKind kind) {
    switch (kind) {
    case GoPackageKind::main:
        return "main";
    case GoPackageKind::not_main:
        return "not_main";
    case GoPackageKind::missing:
        return "missing";
    case GoPackageKind::unknown:
        return "unknown";
    }
    return "?";
}

struct Layout {
    std::string name;
    std::map<std::string, std::string> files; // relative to the project dir
    std::string package;                      // the `go = ...` value
    GoPackageKind kind;
    std::string clause; // not_main: "FILE:LINE:COLUMN NAME" (FILE relative to the package dir)
    bool certain = true;
};

void PrintTo(const Layout& layout, std::ostream* out) {
    *out << layout.name;
}

const std::string k_main_source = "package main\n\nfunc main() {}\n";

const Layout k_layouts[] = {
    {"MainWithItsTests",
     {{"cmd/api/main.go", k_main_source},
      {"cmd/api/main_test.go", "package main_test\n"},
      {"cmd/api/helper_test.go", "package main\n"}},
     "./cmd/api",
     GoPackageKind::main,
     ""},
    {"Library",
     {{"lib/doc.go", "// Package lib: shared code.\n//\n// More words.\npackage lib\n"},
      {"lib/lib.go", "package lib\n\nfunc Answer() int { return 42 }\n"},
      {"lib/lib_test.go", "package lib_test\n\nfunc main() {}\n"}},
     "./lib",
     GoPackageKind::not_main,
     "doc.go:4:9 lib"},
    {"LibraryWithAnIgnoredMainGenerator",
     {{"lib/gen.go", "//go:build ignore\n\n" + k_main_source}, {"lib/lib.go", "package lib\n"}},
     "./lib",
     GoPackageKind::not_main,
     "lib.go:1:9 lib"},
    {"MainWithAnIgnoredGeneratorOfAnotherPackage",
     {{"cmd/api/main.go", k_main_source}, {"cmd/api/gen.go", "//go:build ignore\n\npackage gen\n"}},
     "./cmd/api/../api",
     GoPackageKind::main,
     ""},
    {"OldStyleBuildLineExcludesTheMainFile",
     {{"lib/tool.go", "// Copyright 2024\n\n// +build ignore\n\n" + k_main_source},
      {"lib/z.go", "/* block\n   comment */ package\tz // trailing\n"}},
     "./lib",
     GoPackageKind::not_main,
     "z.go:2:23 z"},
    {"OnlyPlatformFilesOfALibrary",
     {{"lib/x_linux.go", "package x\n"}, {"lib/x_windows_amd64.go", "package x\n"}},
     "./lib",
     GoPackageKind::not_main,
     "x_linux.go:1:9 x",
     false},
    {"OnlyPlatformFilesOfAProgram",
     {{"cmd/api/main_linux.go", k_main_source}, {"cmd/api/main_windows.go", k_main_source}},
     "./cmd/api",
     GoPackageKind::main,
     ""},
    {"AConstrainedMainFileMayMakeItMain",
     {{"cmd/api/main.go", "//go:build linux || windows || darwin\n\n" + k_main_source},
      {"cmd/api/extra_plan9.go", "package extra\n"}},
     "./cmd/api",
     GoPackageKind::main,
     ""},
    {"NameSuffixThatIsNoPlatform",
     {{"cmd/api/main_server.go", k_main_source}, {"cmd/api/linux.go", k_main_source}},
     "./cmd/api",
     GoPackageKind::main,
     ""},
    {"IgnoredFileNames",
     {{"cmd/api/main.go", "\xEF\xBB\xBFpackage main\n\nfunc main() {}\n"},
      {"cmd/api/_old.go", "package old\n"},
      {"cmd/api/.hidden.go", "package hidden\n"}},
     "./cmd/api",
     GoPackageKind::main,
     ""},
    {"CgoFileCountsToo", // go checks package clauses before it drops cgo files
     {{"cmd/api/main.go", k_main_source}, {"cmd/api/c.go", "package c\n\nimport \"C\"\n"}},
     "./cmd/api",
     GoPackageKind::not_main,
     "c.go:1:9 c"},
    {"SingleFile",
     {{"tools/tool.go", "package tools\n"}},
     "./tools/tool.go",
     GoPackageKind::not_main,
     "tool.go:1:9 tools"},
    {"SingleMainFile",
     {{"tools/run.go", k_main_source}},
     "./tools/run.go",
     GoPackageKind::main,
     ""},
    {"UnparsableFileLeavesItOpen",
     {{"cmd/api/broken.go", "this is not Go\n"},
      {"cmd/api/lib.go", "//go:build linux\n\npackage lib\n"}},
     "./cmd/api",
     GoPackageKind::unknown,
     ""},
};

class GoPackageLayout : public testing::TestWithParam<Layout> {
  protected:
    test::TempDir m_dir;

    void write_files() {
        for (const auto& [file, content] : GetParam().files) {
            m_dir.write(file, content);
        }
    }
};

TEST_P(GoPackageLayout, ReadsWhatGoBuildWouldMake) {
    write_files();
    const Layout& layout = GetParam();
    const GoPackage package = read_go_package(layout.package, m_dir.path());
    EXPECT_EQ(kind_name(package.kind), std::string(kind_name(layout.kind)));
    const auto dir = (m_dir.path() / layout.package).lexically_normal();
    if (layout.kind == GoPackageKind::not_main) {
        ASSERT_TRUE(package.clause.has_value());
        const auto file = std::filesystem::is_regular_file(dir) ? dir.filename()
                                                                : package.clause->file.filename();
        EXPECT_EQ(file.string() + ":" + std::to_string(package.clause->line) + ":" +
                      std::to_string(package.clause->column) + " " + package.clause->name,
                  layout.clause);
        EXPECT_EQ(package.clause->certain, layout.certain);
        EXPECT_EQ(package.mixed, layout.name == "CgoFileCountsToo");
        EXPECT_EQ(package.clause->file.parent_path(),
                  std::filesystem::is_regular_file(dir) ? dir.parent_path() : dir);
    }
}

// The same layouts through Debian's go: what we call main, go calls main; what we call not main,
// go builds as another package or refuses. (GOPATH mode, so no go.mod is needed; without cgo.)
TEST_P(GoPackageLayout, AgreesWithGoList) {
    write_files();
    const Layout& layout = GetParam();
    const test::TempDir cache;
    // GOPATH mode takes no absolute package paths: run go in the project dir.
    const auto output =
        run_command({"env", "-C", m_dir.path().string(), "GO111MODULE=off",
                     "GOFLAGS=", "CGO_ENABLED=0", "GOCACHE=" + cache.path().string(), "go", "list",
                     "-e", "-f", "{{.Name}}|{{.Error}}", layout.package},
                    60s);
    ASSERT_TRUE(output.started) << output.error;
    ASSERT_FALSE(output.timed_out);
    const std::string answer(trim(output.out));
    const std::string name = answer.substr(0, answer.find('|'));
    switch (layout.kind) {
    case GoPackageKind::main:
        EXPECT_EQ(answer, "main|<nil>") << output.err;
        break;
    case GoPackageKind::not_main:
        EXPECT_NE(name, "main") << answer << output.err;
        EXPECT_NE(answer, "main|<nil>");
        break;
    default:
        break;
    }
}

INSTANTIATE_TEST_SUITE_P(Layouts, GoPackageLayout, testing::ValuesIn(k_layouts),
                         [](const testing::TestParamInfo<Layout>& info) {
                             return info.param.name;
                         });

TEST(GoPackage, MissingDirectoryFileOrGoFiles) {
    const test::TempDir dir;
    GoPackage package = read_go_package("./cmd/api", dir.path());
    EXPECT_EQ(package.kind, GoPackageKind::missing);
    EXPECT_EQ(package.dir, dir.path() / "cmd" / "api");
    EXPECT_EQ(package.problem, "does not exist");

    dir.write("cmd/api", "a file\n");
    package = read_go_package("./cmd/api", dir.path());
    EXPECT_EQ(package.kind, GoPackageKind::missing);
    EXPECT_EQ(package.problem, "is not a directory");

    dir.write("web/README.md", "docs\n");
    dir.write("web/web_test.go", "package web\n");
    dir.write("web/_draft.go", "package web\n");
    package = read_go_package("./web", dir.path());
    EXPECT_EQ(package.kind, GoPackageKind::missing);
    EXPECT_EQ(package.problem, "has no Go files to build (test files aside)");

    package = read_go_package(dir.path().string() + "/nowhere", "/elsewhere");
    EXPECT_EQ(package.kind, GoPackageKind::missing);
    EXPECT_EQ(package.dir, dir.path() / "nowhere");
}

TEST(GoPackage, ImportPathsAndPatternsAreNotJudged) {
    const test::TempDir dir;
    dir.write("lib/lib.go", "package lib\n");
    EXPECT_EQ(read_go_package("example.com/shop/lib", dir.path()).kind, GoPackageKind::unknown);
    EXPECT_EQ(read_go_package("./lib/...", dir.path()).kind, GoPackageKind::unknown);
    EXPECT_EQ(read_go_package("lib", dir.path()).kind, GoPackageKind::unknown);
    EXPECT_EQ(read_go_package("./lib", dir.path()).kind, GoPackageKind::not_main);
}

} // namespace
} // namespace golaunch
