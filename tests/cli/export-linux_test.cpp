// `golaunch export` validated by the real tools, never by a stored copy: systemd-analyze verify
// loads the generated units (offline), and docker-compose 1.29 `config` parses and validates the
// compose file against its schema.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

// A project with a go service behind an http probe, a program with an exec probe, a one-shot,
// hosts, a value holding $ and %, and an argument with a space.
class ExportProject : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto port_api = pick_free_port();
        const auto port_catalog = pick_free_port();
        m_manifest = m_dir.write(
            "golaunch.toml",
            "version = 1\nname = \"shop\"\n[hosts]\n\"api.shop.test\" = \"127.0.0.1\"\n"
            "[services.api]\ngo = \"./cmd/api\"\n"
            "args = [\"-addr\", \"127.0.0.1:${ports.api.http}\", \"-name\", \"two words\"]\n"
            "env = { GREETING = \"50% off $$HOME\", CATALOG = "
            "\"http://127.0.0.1:${ports.catalog.http}\" }\n"
            "ports = { http = " +
                std::to_string(port_api) +
                " }\n"
                "ready = { http = \"http://127.0.0.1:${port}/health\" }\n"
                "depends_on = { catalog = \"ready\", migrate = \"completed\" }\n"
                "[services.catalog]\ncmd = [" +
                toml_quoted(fixture("httpserver")) +
                ", \"-addr\", \"127.0.0.1:${port}\"]\nports = { http = " +
                std::to_string(port_catalog) +
                " }\nrestart = \"always\"\nready = { exec = [\"/bin/true\"] }\n"
                "[services.migrate]\ncmd = [\"/bin/true\"]\nready = \"exit\"\n");
        // The stable binary a go service runs (systemd-analyze checks ExecStart exists).
        const auto bin = m_dir.path() / ".golaunch" / "bin";
        std::filesystem::create_directories(bin);
        const auto api = m_dir.write(".golaunch/bin/api", "#!/bin/sh\n");
        ::chmod(api.c_str(), 0755);
        std::filesystem::create_directories(m_dir.path() / "cmd" / "api");
    }

    // Runs `command` through sh; its exit code and output (stdout and stderr).
    int shell(const std::string& command, std::string& output) {
        const auto log = m_dir.path() / "tool.log";
        ChildProcess child({"/bin/sh", "-c", command}, log.string(), {"NO_COLOR=1"});
        const auto status = child.wait_for(60s);
        output = read_file(log);
        return status ? exit_code_of(*status) : -1;
    }

    TempDir m_dir;
    std::filesystem::path m_manifest;
};

TEST_F(ExportProject, SystemdUnitsPassSystemdAnalyzeVerify) {
    if (::access("/usr/bin/systemd-analyze", X_OK) != 0) {
        GTEST_SKIP() << "systemd-analyze is not installed (package systemd)";
    }
    const auto out = m_dir.path() / "units";
    GolaunchRun run(m_dir, {"export", "systemd", m_manifest.string(), "-o", out.string()});
    ASSERT_EQ(run.wait_for_exit(30s), 0) << run.output();
    const auto text = run.output();
    EXPECT_NE(text.find("not expressed: [hosts] api.shop.test"), std::string::npos) << text;
    EXPECT_NE(text.find("api: ready = http"), std::string::npos) << text;
    for (const char* file :
         {"shop-api.service", "shop-catalog.service", "shop-migrate.service", "shop.target"}) {
        ASSERT_TRUE(std::filesystem::exists(out / file)) << file << "\n" << text;
    }
    std::string verify;
    const int code = shell("cd " + shell_quote(out.string()) +
                               " && systemd-analyze verify shop-api.service shop-catalog.service "
                               "shop-migrate.service shop.target",
                           verify);
    EXPECT_EQ(code, 0) << verify;
    EXPECT_EQ(verify, "") << "systemd-analyze warned";
    const auto api = read_file(out / "shop-api.service");
    EXPECT_NE(api.find("After=network.target shop-catalog.service shop-migrate.service"),
              std::string::npos)
        << api;
    EXPECT_NE(api.find("Requires=shop-catalog.service shop-migrate.service"), std::string::npos);
    EXPECT_NE(api.find("\"two words\""), std::string::npos) << api;
    EXPECT_NE(api.find("Environment=\"GREETING=50%% off $HOME\""), std::string::npos) << api;
    EXPECT_NE(api.find("KillMode=control-group"), std::string::npos);
    EXPECT_NE(read_file(out / "shop-migrate.service").find("Type=oneshot"), std::string::npos);
    EXPECT_NE(read_file(out / "shop-catalog.service").find("Restart=always"), std::string::npos);
    EXPECT_NE(read_file(out / "shop.target").find("# Not expressed in these units:"),
              std::string::npos);
}

TEST_F(ExportProject, ComposeFilePassesDockerComposeConfig) {
    if (::access("/usr/bin/docker-compose", X_OK) != 0) {
        GTEST_SKIP() << "docker-compose is not installed (package docker-compose)";
    }
    const auto out = m_dir.path() / "compose";
    GolaunchRun run(m_dir, {"export", "compose", m_manifest.string(), "-o", out.string()});
    ASSERT_EQ(run.wait_for_exit(30s), 0) << run.output();
    EXPECT_NE(run.output().find("loopback address"), std::string::npos) << run.output();
    std::string config;
    const int code = shell(
        "docker-compose -f " + shell_quote((out / "compose.yaml").string()) + " config", config);
    ASSERT_EQ(code, 0) << config;
    // The normalized config docker-compose prints back.
    EXPECT_NE(config.find("condition: service_healthy"), std::string::npos) << config;
    EXPECT_NE(config.find("condition: service_completed_successfully"), std::string::npos)
        << config;
    EXPECT_NE(config.find("GREETING: 50% off $$HOME"), std::string::npos) << config;
    EXPECT_NE(config.find("restart: always"), std::string::npos) << config;
    EXPECT_NE(config.find("- two words"), std::string::npos) << config;
}

// The files are for another machine: a program this one lacks is written as named, not refused
// (`run` refuses it; its PATH is the one that counts there).
TEST_F(ExportProject, AProgramMissingHereIsWrittenAsNamed) {
    const auto manifest =
        m_dir.write("other.toml", "version = 1\nname = \"db\"\n[services.pg]\n"
                                  "cmd = [\"golaunch-test-no-such-server\", \"-p\", \"${port}\"]\n"
                                  "ports = { pg = " +
                                      std::to_string(pick_free_port()) + " }\n");
    const auto out = m_dir.path() / "other";
    GolaunchRun run(m_dir, {"export", "compose", manifest.string(), "-o", out.string()});
    ASSERT_EQ(run.wait_for_exit(30s), 0) << run.output();
    const auto compose = read_file(out / "compose.yaml");
    EXPECT_NE(compose.find("golaunch-test-no-such-server"), std::string::npos) << compose;
    if (::access("/usr/bin/docker-compose", X_OK) == 0) {
        std::string config;
        EXPECT_EQ(
            shell("docker-compose -f " + shell_quote((out / "compose.yaml").string()) + " config",
                  config),
            0)
            << config;
    }
    GolaunchRun refused(m_dir, {"run", manifest.string()});
    const auto status = refused.wait_for_exit(30s);
    ASSERT_TRUE(status);
    EXPECT_NE(exit_code_of(*status), 0);
    EXPECT_NE(refused.output().find("not found on PATH"), std::string::npos) << refused.output();
}

TEST_F(ExportProject, AnUnknownKindIsAUsageError) {
    GolaunchRun run(m_dir, {"export", "kubernetes", m_manifest.string()});
    const auto status = run.wait_for_exit(30s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 2) << run.output();
}

} // namespace
} // namespace golaunch::test
