// `golaunch init` on real projects: a Go module with two main packages (go list, ports guessed
// from the source) and a Procfile; each generated manifest is then run for real.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

TEST(InitE2E, TwoMainPackagesBecomeGoServicesThatRun) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto api_port = std::to_string(ports[0]);
    const auto worker_port = std::to_string(ports[1]);
    dir.write("go.mod", "module example.com/two\n\ngo 1.19\n");
    dir.write("cmd/api/main.go",
              "package main\n\nimport \"net/http\"\n\nfunc main() {\n"
              "\thttp.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request) {})\n"
              "\tpanic(http.ListenAndServe(\"127.0.0.1:" +
                  api_port + "\", nil))\n}\n");
    dir.write("cmd/worker/main.go",
              "package main\n\nimport (\n\t\"flag\"\n\t\"fmt\"\n\t\"net/http\"\n)\n\n"
              "var port = flag.Int(\"port\", " +
                  worker_port +
                  ", \"listen port\")\n\nfunc main() {\n\tflag.Parse()\n"
                  "\tpanic(http.ListenAndServe(fmt.Sprintf(\"127.0.0.1:%d\", *port), nil))\n}\n");
    dir.write("internal/shared/shared.go", "package shared\n\nconst Name = \"two\"\n");

    GolaunchRun init(dir, {"init", dir.path().string()});
    const auto status = init.wait_for_exit(120s);
    ASSERT_TRUE(status) << init.output();
    ASSERT_EQ(exit_code_of(*status), 0) << init.output();
    const auto manifest = dir.path() / "golaunch.toml";
    const auto text = read_file(manifest);
    EXPECT_EQ(text.rfind("#:schema ./.golaunch/golaunch.schema.json\n", 0), 0U) << text;
    EXPECT_TRUE(std::filesystem::exists(dir.path() / ".golaunch" / "golaunch.schema.json"));
    EXPECT_NE(text.find("[services.api]\ngo = \"./cmd/api\"\nports = { http = " + api_port +
                        " } # guess: cmd/api/main.go:7 \"127.0.0.1:" + api_port + "\"\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("[services.worker]\ngo = \"./cmd/worker\"\nports = { http = " +
                        worker_port + " } # guess: cmd/worker/main.go:9 flag \"port\""),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("# args = [\"-port\", \"${port}\"] # uncomment"), std::string::npos)
        << text;
    EXPECT_NE(text.find("main packages of example.com/two (go list"), std::string::npos) << text;
    EXPECT_EQ(text.find("shared"), std::string::npos) << "a library is not a service\n" << text;

    GolaunchRun run(dir, {"run", manifest.string(), "--stop-when-ready"});
    const auto ran = run.wait_for_exit(180s);
    ASSERT_TRUE(ran) << run.output();
    EXPECT_EQ(exit_code_of(*ran), 0) << run.output();
    EXPECT_NE(run.output().find("all 2 services ready"), std::string::npos) << run.output();
}

TEST(InitE2E, AProcfileBecomesShellServicesWithForemanPorts) {
    TempDir dir;
    const auto port = pick_free_port();
    dir.write("Procfile", "# the app\nweb: exec " + shell_quote(fixture("httpserver")) +
                              " -addr 127.0.0.1:$PORT\nworker: exec sleep 30\n");
    GolaunchRun init(dir, {"init", dir.path().string(), "--from",
                           (dir.path() / "Procfile").string(), "--port", std::to_string(port)});
    const auto status = init.wait_for_exit(30s);
    ASSERT_TRUE(status) << init.output();
    ASSERT_EQ(exit_code_of(*status), 0) << init.output();
    const auto manifest = dir.path() / "golaunch.toml";
    const auto text = read_file(manifest);
    EXPECT_NE(text.find("[services.web]\nshell = "), std::string::npos) << text;
    EXPECT_NE(
        text.find("-addr 127.0.0.1:$$PORT\"\nports = { http = " + std::to_string(port) + " }"),
        std::string::npos)
        << text;
    EXPECT_NE(text.find("[services.worker]\nshell = \"exec sleep 30\"\n"), std::string::npos)
        << text;

    GolaunchRun run(dir, {"run", manifest.string(), "--stop-when-ready"});
    const auto ran = run.wait_for_exit(60s);
    ASSERT_TRUE(ran) << run.output();
    EXPECT_EQ(exit_code_of(*ran), 0) << run.output();
    EXPECT_NE(run.output().find("listening on 127.0.0.1:" + std::to_string(port)),
              std::string::npos)
        << run.output();
}

TEST(InitE2E, NeverReplacesAManifestWithoutForce) {
    TempDir dir;
    dir.write("Procfile", "web: exec sleep 30\n");
    const auto manifest = dir.write("golaunch.toml", "# mine\nversion = 1\n");
    const auto procfile = (dir.path() / "Procfile").string();
    GolaunchRun refused(dir, {"init", dir.path().string(), "--from", procfile});
    const auto status = refused.wait_for_exit(30s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 2) << refused.output();
    EXPECT_NE(refused.output().find("already exists"), std::string::npos) << refused.output();
    EXPECT_NE(refused.output().find("--force"), std::string::npos) << refused.output();
    EXPECT_EQ(read_file(manifest), "# mine\nversion = 1\n");

    GolaunchRun forced(dir, {"init", dir.path().string(), "--from", procfile, "--force"});
    const auto forced_status = forced.wait_for_exit(30s);
    ASSERT_TRUE(forced_status);
    EXPECT_EQ(exit_code_of(*forced_status), 0) << forced.output();
    EXPECT_NE(read_file(manifest).find("[services.web]"), std::string::npos);
    EXPECT_EQ(read_file(dir.path() / "golaunch.toml.bak"), "# mine\nversion = 1\n");
}

TEST(InitE2E, ABadProcfileLineIsNamedWithItsLineAndColumn) {
    TempDir dir;
    dir.write("Procfile", "web: exec sleep 30\nworker exec sleep 30\n");
    GolaunchRun init(dir,
                     {"init", dir.path().string(), "--from", (dir.path() / "Procfile").string()});
    const auto status = init.wait_for_exit(30s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 2) << init.output();
    EXPECT_NE(init.output().find("Procfile:2:1: error: not a Procfile line"), std::string::npos)
        << init.output();
    EXPECT_NE(init.output().find("NAME: COMMAND"), std::string::npos) << init.output();
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "golaunch.toml"));
}

TEST(InitE2E, OutsideAGoModuleTheErrorPointsToProcfiles) {
    TempDir dir;
    GolaunchRun init(dir, {"init", dir.path().string()});
    const auto status = init.wait_for_exit(60s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 2) << init.output();
    EXPECT_NE(init.output().find("go list ./... failed"), std::string::npos) << init.output();
    EXPECT_NE(init.output().find("--from Procfile"), std::string::npos) << init.output();
}

} // namespace
} // namespace golaunch::test
