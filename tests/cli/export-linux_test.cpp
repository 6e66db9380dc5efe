// `golaunch export` validated by the real tools, never by a stored copy: systemd-analyze verify
// loads the generated units (offline), and docker-compose 1.29 `config` parses and validates the
// compose file against its schema.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <filesystem>
#include <tuple>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

// A project with a go service behind an http probe, a program with an exec probe, a one-shot,
// hosts, a value holding $ and %, one holding a newline and a tab, and an argument with a space.
class ExportProject : public ::testing::Test {
  protected:
    void SetUp() override {
        m_port_api = pick_free_port();
        m_port_catalog = pick_free_port();
        const auto port_api = m_port_api;
        const auto port_catalog = m_port_catalog;
        m_manifest = m_dir.write(
            "golaunch.toml",
            "version = 1\nname = \"shop\"\n[hosts]\n\"api.shop.test\" = \"127.0.0.1\"\n"
            "[services.api]\ngo = \"./cmd/api\"\n"
            "args = [\"-addr\", \"127.0.0.1:${ports.api.http}\", \"-name\", \"two words\"]\n"
            "env = { GREETING = \"50% off $$HOME\", BANNER = \"line one\\nline two\\tend\", "
            "CATALOG = "
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
    int m_port_api = 0;
    int m_port_catalog = 0;
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
    // A newline and a tab as systemd's C escapes, not folded into blanks.
    EXPECT_NE(api.find("Environment=\"BANNER=line one\\nline two\\tend\""), std::string::npos)
        << api;
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

// Validated with the schemas generated from the Kubernetes OpenAPI spec (kubernetes-models,
// tests/tools/k8s_validate.mjs): types, required fields, enums and formats; then, by TypeScript
// against the same models' interfaces, no field the API does not have.
TEST_F(ExportProject, KubernetesObjectsPassTheirApiSchemas) {
    if (::access("/usr/bin/node", X_OK) != 0 ||
        !std::filesystem::exists(test_tools() / "node_modules" / "kubernetes-models")) {
        GTEST_SKIP() << "node and tests/tools/node_modules are missing (.ci/install-deps --all)";
    }
    const auto out = m_dir.path() / "k8s";
    GolaunchRun run(m_dir, {"export", "kubernetes", m_manifest.string(), "-o", out.string()});
    ASSERT_EQ(run.wait_for_exit(30s), 0) << run.output();
    const auto text = run.output();
    EXPECT_NE(text.find("not expressed: [hosts] api.shop.test"), std::string::npos) << text;
    EXPECT_NE(text.find("loopback address"), std::string::npos) << text;
    EXPECT_NE(text.find("api: depends_on"), std::string::npos) << text;
    const auto file = out / "kubernetes.yaml";
    ASSERT_TRUE(std::filesystem::exists(file)) << text;
    EXPECT_NE(read_file(file).find("# Not expressed here:"), std::string::npos);
    const auto validator = (test_tools() / "k8s_validate.mjs").string();
    std::string verdict;
    ASSERT_EQ(shell("node " + shell_quote(validator) + " " + shell_quote(file.string()), verdict),
              0)
        << verdict;
    for (const char* line : {"ok Deployment api\n", "ok Service api\n", "ok Deployment catalog\n",
                             "ok Service catalog\n", "ok Job migrate\n"}) {
        EXPECT_NE(verdict.find(line), std::string::npos) << line << verdict;
    }
    // The validator is not a rubber stamp: the same file with a misspelt field, or a port as a
    // string, is refused.
    for (const auto& [from, to, expected] :
         {std::tuple{"readinessProbe:", "readinesProbe:", "'\"readinesProbe\"' does not exist"},
          std::tuple{"containerPort: ", "containerPort: !!str ", "containerPort"}}) {
        auto tampered = read_file(file);
        const auto at = tampered.find(from);
        ASSERT_NE(at, std::string::npos) << from;
        tampered.replace(at, std::string(from).size(), to);
        const auto bad = m_dir.write("k8s/tampered.yaml", tampered);
        std::string refusal;
        EXPECT_EQ(
            shell("node " + shell_quote(validator) + " " + shell_quote(bad.string()), refusal), 1)
            << to << "\n"
            << refusal;
        EXPECT_NE(refusal.find(expected), std::string::npos) << refusal;
    }
    std::string dump;
    ASSERT_EQ(
        shell("node " + shell_quote(validator) + " --json " + shell_quote(file.string()), dump), 0)
        << dump;
    const auto objects = nlohmann::json::parse(dump);
    const auto find = [&](const std::string& kind, const std::string& name) {
        for (const auto& object : objects) {
            if (object["kind"] == kind && object["metadata"]["name"] == name) {
                return object;
            }
        }
        ADD_FAILURE() << "no " << kind << " " << name;
        return nlohmann::json::object();
    };
    const auto api = find("Deployment", "api")["spec"]["template"]["spec"]["containers"][0];
    EXPECT_EQ(api["readinessProbe"]["httpGet"]["path"], "/health") << api.dump(2);
    EXPECT_EQ(api["readinessProbe"]["httpGet"]["port"], m_port_api) << api.dump(2);
    EXPECT_EQ(api["ports"][0]["containerPort"], m_port_api) << api.dump(2);
    EXPECT_EQ(api["args"],
              nlohmann::json::array(
                  {"-addr", "127.0.0.1:" + std::to_string(m_port_api), "-name", "two words"}));
    bool greeting = false;
    bool banner = false;
    for (const auto& variable : api["env"]) {
        greeting =
            greeting || (variable["name"] == "GREETING" && variable["value"] == "50% off $HOME");
        banner = banner ||
                 (variable["name"] == "BANNER" && variable["value"] == "line one\nline two\tend");
    }
    EXPECT_TRUE(greeting) << api["env"].dump();
    EXPECT_TRUE(banner) << "the newline and tab read back by js-yaml: " << api["env"].dump();
    const auto catalog = find("Deployment", "catalog")["spec"]["template"]["spec"]["containers"][0];
    EXPECT_EQ(catalog["readinessProbe"]["exec"]["command"], nlohmann::json::array({"/bin/true"}));
    const auto service = find("Service", "catalog");
    EXPECT_EQ(service["spec"]["ports"][0]["port"], m_port_catalog) << service.dump(2);
    EXPECT_EQ(service["spec"]["selector"],
              find("Deployment", "catalog")["spec"]["selector"]["matchLabels"]);
    const auto migrate = find("Job", "migrate")["spec"]["template"]["spec"];
    EXPECT_EQ(migrate["restartPolicy"], "Never") << migrate.dump(2);
}

// Kubernetes names are DNS labels: lower case, [a-z0-9-], at most 63 characters.
TEST_F(ExportProject, KubernetesNamesAreDnsLabels) {
    const auto manifest =
        m_dir.write("names.toml", "version = 1\nname = \"Names\"\n[services.Web_UI]\n"
                                  "cmd = [\"/bin/sleep\", \"60\"]\n");
    const auto out = m_dir.path() / "names";
    GolaunchRun run(m_dir, {"export", "kubernetes", manifest.string(), "-o", out.string()});
    ASSERT_EQ(run.wait_for_exit(30s), 0) << run.output();
    const auto text = read_file(out / "kubernetes.yaml");
    EXPECT_NE(text.find("name: \"web-ui\""), std::string::npos) << text;
    EXPECT_EQ(text.find("Web_UI\"\n"), std::string::npos) << text;
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
    GolaunchRun run(m_dir, {"export", "nomad", m_manifest.string()});
    const auto status = run.wait_for_exit(30s);
    ASSERT_TRUE(status);
    EXPECT_EQ(exit_code_of(*status), 2) << run.output();
}

} // namespace
} // namespace golaunch::test
