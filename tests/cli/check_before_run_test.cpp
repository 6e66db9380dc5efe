// `golaunch check` finds what `golaunch run` would reject, end to end with the real binary:
// manifest mistakes (a bind address that is no IP literal, a project name with outer spaces, an
// env_file that is a directory or malformed) are located manifest errors (exit 2); a service
// dir that is missing or a file, a `go` package that is not package main (a real Go package)
// and a .golaunch/ports.toml that is a directory are refused by check and by run alike.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

int exit_of(GolaunchRun& run, std::chrono::milliseconds timeout = 30s) {
    const auto status = run.wait_for_exit(timeout);
    EXPECT_TRUE(status) << run.output();
    return status ? exit_code_of(*status) : -1;
}

// `golaunch check MANIFEST --no-network [--json]`: exit code and output.
struct Outcome {
    int code = -1;
    std::string output;
};

Outcome golaunch(const TempDir& dir, const std::vector<std::string>& args,
                 std::chrono::milliseconds timeout = 30s) {
    GolaunchRun run(dir, args);
    const int code = exit_of(run, timeout);
    return {code, run.output()};
}

Outcome check(const TempDir& dir, const std::filesystem::path& manifest, bool json = false) {
    std::vector<std::string> args{"check", manifest.string(), "--no-network"};
    if (json) {
        args.push_back("--json");
    }
    return golaunch(dir, args);
}

Outcome run_until_ready(const TempDir& dir, const std::filesystem::path& manifest,
                        std::chrono::milliseconds timeout = 30s) {
    return golaunch(dir, {"run", manifest.string(), "--no-network", "--stop-when-ready"}, timeout);
}

// The findings of a `check --json` report with this id.
std::vector<nlohmann::json> findings_with_id(const std::string& output, const std::string& id) {
    std::vector<nlohmann::json> found;
    const auto report = nlohmann::json::parse(output, nullptr, false);
    if (!report.is_object()) {
        ADD_FAILURE() << "not a JSON report: " << output;
        return found;
    }
    for (const auto& finding : report["findings"]) {
        if (finding["id"] == id) {
            found.push_back(finding);
        }
    }
    return found;
}

// ---------------------------------------------------------------- manifest errors (exit 2)

TEST(CheckBeforeRun, EnvFileThatIsADirectoryIsLocatedAtItsKey) {
    TempDir dir;
    std::filesystem::create_directory(dir.path() / "envdir");
    const auto manifest = dir.write(
        "app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\nenv_file = \"envdir\"\n");
    const auto result = check(dir, manifest);
    EXPECT_EQ(result.code, 2);
    EXPECT_EQ(result.output,
              manifest.string() + ":4:1: error: cannot read env_file 'envdir' (" +
                  (dir.path() / "envdir").string() +
                  ") of service 'api': not a regular file (a directory)\n"
                  "    4 | env_file = \"envdir\"\n"
                  "      | ^\n"
                  "hint: env_file must name a regular file of KEY=VALUE lines, at most 16 MiB, "
                  "relative to the manifest\n");
}

TEST(CheckBeforeRun, MalformedEnvFileIsLocatedInIt) {
    TempDir dir;
    const auto env = dir.write("dev.env", "# settings\nMODE=dev\nexport TOKEN 'abc'\n");
    const auto manifest = dir.write(
        "app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\nenv_file = \"dev.env\"\n");
    const std::string expected = env.string() +
                                 ":3:14: error: expected KEY=VALUE\n"
                                 "    3 | export TOKEN 'abc'\n"
                                 "      |              ^\n"
                                 "hint: env_file of service 'api' (" +
                                 manifest.string() +
                                 ":4:1): write one KEY=VALUE per line; quote values with '...' "
                                 "or \"...\"\n";
    const auto checked = check(dir, manifest);
    EXPECT_EQ(checked.code, 2);
    EXPECT_EQ(checked.output, expected);
    const auto ran = run_until_ready(dir, manifest);
    EXPECT_EQ(ran.code, 2);
    EXPECT_EQ(ran.output, expected);
}

TEST(CheckBeforeRun, BindAddressMustBeAnIpLiteral) {
    TempDir dir;
    const auto port = std::to_string(pick_free_port());
    auto manifest = dir.write("app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\n"
                                          "ports = { http = { port = " +
                                              port + ", address = \"999.1.1.1\" } }\n");
    auto result = check(dir, manifest);
    EXPECT_EQ(result.code, 2);
    EXPECT_EQ(result.output, manifest.string() + ":4:" + std::to_string(39 + port.size()) +
                                 ": error: invalid address '999.1.1.1' for 'ports.http'\n"
                                 "    4 | ports = { http = { port = " +
                                 port +
                                 ", address = \"999.1.1.1\" } }\n"
                                 "      | " +
                                 std::string(38 + port.size(), ' ') +
                                 "^\n"
                                 "hint: write an IP address without brackets or port, e.g. "
                                 "127.0.0.1, ::1, 0.0.0.0 or ::\n");
    manifest = dir.write("app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\n"
                                     "[services.api.ports.http]\nport = " +
                                         port + "\naddress = \"localhost\"\n");
    result = check(dir, manifest);
    EXPECT_EQ(result.code, 2);
    EXPECT_EQ(result.output,
              manifest.string() +
                  ":6:11: error: 'ports.http' must bind an IP address, not the host name "
                  "'localhost'\n"
                  "    6 | address = \"localhost\"\n"
                  "      |           ^\n"
                  "hint: write 127.0.0.1 or ::1: 'localhost' can mean either, and the preflight "
                  "checks the address that is bound\n");
    const auto ran = run_until_ready(dir, manifest);
    EXPECT_EQ(ran.code, 2);
    EXPECT_EQ(ran.output, result.output);
}

TEST(CheckBeforeRun, ProjectNameWithOuterSpacesIsLocated) {
    TempDir dir;
    const auto manifest =
        dir.write("app.toml", "version = 1\nname = \"shop \"\n[services.api]\ncmd = [\"true\"]\n");
    const auto result = check(dir, manifest);
    EXPECT_EQ(result.code, 2);
    EXPECT_EQ(result.output, manifest.string() +
                                 ":2:8: error: 'name' must not start or end with a space\n"
                                 "    2 | name = \"shop \"\n"
                                 "      |        ^\n"
                                 "hint: the name marks the project's block in the hosts file; "
                                 "write name = \"shop\"\n");
}

// ---------------------------------------------------------------- preflight findings (exit 3)

TEST(CheckBeforeRun, ServiceDirThatIsMissingOrAFileIsAnError) {
    TempDir dir;
    const auto manifest = dir.write("app.toml", "version = 1\n"
                                                "[services.api]\n"
                                                "cmd = [\"true\"]\n"
                                                "dir = \"./srv/api\"\n"
                                                "[services.web]\n"
                                                "cmd = [\"true\"]\n"
                                                "  dir = \"app.toml\"\n");
    const auto missing = (dir.path() / "srv" / "api").string();
    const auto result = check(dir, manifest, true);
    EXPECT_EQ(result.code, 3) << result.output;
    const auto gone = findings_with_id(result.output, "service-dir-missing");
    ASSERT_EQ(gone.size(), 1U) << result.output;
    EXPECT_EQ(gone[0]["severity"], "error");
    EXPECT_EQ(gone[0]["area"], "project");
    EXPECT_EQ(gone[0]["subject"], "api");
    EXPECT_EQ(gone[0]["message"],
              "service api cannot start: its directory " + missing + " does not exist");
    EXPECT_EQ(gone[0]["evidence"],
              nlohmann::json::array({manifest.string() + ":4:7: dir = \"./srv/api\""}));
    EXPECT_EQ(gone[0]["remedy"], "create it (`mkdir -p " + shell_quote(missing) +
                                     "`) or correct dir (it is relative to the manifest's "
                                     "directory)");
    const auto file = findings_with_id(result.output, "service-dir-not-directory");
    ASSERT_EQ(file.size(), 1U) << result.output;
    EXPECT_EQ(file[0]["severity"], "error");
    EXPECT_EQ(file[0]["subject"], "web");
    EXPECT_EQ(file[0]["message"], "service web cannot start: its directory " + manifest.string() +
                                      " is not a directory (a regular file)");
    EXPECT_EQ(file[0]["evidence"],
              nlohmann::json::array({manifest.string() + ":7:9: dir = \"app.toml\""}));
    EXPECT_EQ(file[0]["remedy"],
              "point dir at a directory (it is relative to the manifest's directory)");

    const auto text = check(dir, manifest);
    EXPECT_EQ(text.code, 3);
    EXPECT_NE(text.output.find("[service-dir-missing] service api cannot start"), std::string::npos)
        << text.output;

    std::filesystem::create_directories(missing);
    const auto ran = run_until_ready(dir, manifest);
    EXPECT_EQ(ran.code, 3) << ran.output;
    EXPECT_NE(ran.output.find("[service-dir-not-directory] service web cannot start"),
              std::string::npos)
        << ran.output;
    EXPECT_EQ(ran.output.find("service-dir-missing"), std::string::npos) << ran.output;
    EXPECT_NE(ran.output.find("not starting: preflight found errors"), std::string::npos)
        << ran.output;
}

// A Go module with a library package (not main) and a program whose directory also holds a
// generator of another package excluded by `//go:build ignore`.
struct GoProject {
    TempDir dir;
    std::filesystem::path manifest;
    std::string port = std::to_string(pick_free_port());

    explicit GoProject(const std::string& package) {
        dir.write("go.mod", "module example.com/shop\n\ngo 1.19\n");
        dir.write("lib/lib.go", "// Package lib holds shared code.\npackage lib\n\n"
                                "func Answer() int { return 42 }\n");
        dir.write("lib/lib_test.go", "package lib_test\n");
        dir.write("cmd/web/main.go",
                  read_file(std::string(GOLAUNCH_SOURCE_DIR) + "/tests/fixtures/httpserver.go"));
        dir.write("cmd/web/gen.go", "//go:build ignore\n\n// Generates nothing.\npackage gen\n");
        manifest = dir.write("app.toml", "version = 1\n[defaults]\nstop_grace = \"2s\"\n"
                                         "[services.web]\ngo = \"" +
                                             package +
                                             "\"\nargs = [\"-addr\", "
                                             "\"127.0.0.1:${ports.web.http}\"]\n"
                                             "ports = { http = " +
                                             port + " }\n");
    }
};

TEST(CheckBeforeRun, GoPackageThatIsNotMainIsRefusedBeforeTheBuild) {
    GoProject project("./lib");
    const auto lib = (project.dir.path() / "lib").string();
    const auto result = check(project.dir, project.manifest, true);
    EXPECT_EQ(result.code, 3) << result.output;
    const auto found = findings_with_id(result.output, "go-not-main");
    ASSERT_EQ(found.size(), 1U) << result.output;
    EXPECT_EQ(found[0]["severity"], "error");
    EXPECT_EQ(found[0]["area"], "go");
    EXPECT_EQ(found[0]["subject"], "go web");
    EXPECT_EQ(found[0]["message"], "service web: go = \"./lib\" is package lib, not package main: "
                                   "go build makes no program of it");
    EXPECT_EQ(found[0]["evidence"],
              nlohmann::json::array({project.manifest.string() + ":5:6: go = \"./lib\"",
                                     lib + "/lib.go:2:9: package lib"}));
    EXPECT_EQ(found[0]["remedy"], "point go at the directory of a package main (the one with "
                                  "func main), e.g. ./cmd/web");

    const auto ran = run_until_ready(project.dir, project.manifest, 120s);
    EXPECT_EQ(ran.code, 3) << ran.output;
    EXPECT_NE(ran.output.find("[go-not-main] service web: go = \"./lib\" is package lib, not "
                              "package main: go build makes no program of it"),
              std::string::npos)
        << ran.output;
    EXPECT_NE(ran.output.find("not starting: preflight found errors"), std::string::npos)
        << ran.output;
    EXPECT_EQ(ran.output.find("Permission denied"), std::string::npos) << ran.output;
    EXPECT_FALSE(std::filesystem::exists(project.dir.path() / ".golaunch" / "bin" / "web"));
}

TEST(CheckBeforeRun, GoPackageMissingIsAnError) {
    GoProject project("./cmd/wbe");
    const auto result = check(project.dir, project.manifest, true);
    EXPECT_EQ(result.code, 3) << result.output;
    const auto found = findings_with_id(result.output, "go-package-missing");
    ASSERT_EQ(found.size(), 1U) << result.output;
    EXPECT_EQ(found[0]["message"],
              "service web: go = \"./cmd/wbe\": " + (project.dir.path() / "cmd" / "wbe").string() +
                  " does not exist");
    EXPECT_EQ(found[0]["remedy"], "correct go: a package directory relative to the manifest's "
                                  "directory, e.g. ./cmd/web");
}

TEST(CheckBeforeRun, GoMainPackageWithAnIgnoredGeneratorBuildsAndRuns) {
    GoProject project("./cmd/web");
    const auto result = check(project.dir, project.manifest, true);
    EXPECT_TRUE(findings_with_id(result.output, "go-not-main").empty()) << result.output;
    EXPECT_TRUE(findings_with_id(result.output, "go-package-missing").empty()) << result.output;
    const auto ran = run_until_ready(project.dir, project.manifest, 120s);
    EXPECT_EQ(ran.code, 0) << ran.output;
}

TEST(CheckBeforeRun, PortsTomlThatIsADirectoryIsAnError) {
    TempDir dir;
    const auto overrides = dir.path() / ".golaunch" / "ports.toml";
    std::filesystem::create_directories(overrides);
    const auto manifest =
        dir.write("app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\nports = { http = " +
                                  std::to_string(pick_free_port()) + " }\n");
    const std::string expected = "golaunch: error: cannot read " + overrides.string() +
                                 ": not a regular file (a directory)\n"
                                 "hint: golaunch keeps only its own files in .golaunch/: remove "
                                 "it (`rm -r " +
                                 shell_quote(overrides.string()) + "`) and run again\n";
    const auto checked = check(dir, manifest);
    EXPECT_EQ(checked.code, 1);
    EXPECT_EQ(checked.output, expected);
    const auto ran = run_until_ready(dir, manifest);
    EXPECT_EQ(ran.code, 1);
    EXPECT_EQ(ran.output, expected);
}

} // namespace
} // namespace golaunch::test
