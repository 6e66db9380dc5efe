// ${...} interpolation.
#include "manifest/interpolate.hpp"
#include "manifest/loader.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

const PortAssignments k_ports = {
    {"api", {{"http", 8080}, {"admin", 8081}}},
    {"db", {{"pg", 5432}}},
    {"worker", {}},
};

TEST(Interpolation, ReplacesQualifiedPorts) {
    EXPECT_EQ(interpolate("postgres://127.0.0.1:${ports.db.pg}/shop", "api", k_ports),
              "postgres://127.0.0.1:5432/shop");
    EXPECT_EQ(interpolate("${ports.api.http},${ports.api.admin}", "db", k_ports), "8080,8081");
}

TEST(Interpolation, OwnPortByName) {
    EXPECT_EQ(interpolate(":${ports.admin}", "api", k_ports), ":8081");
}

TEST(Interpolation, PortMeansTheOnlyPort) {
    EXPECT_EQ(interpolate("-p ${port}", "db", k_ports), "-p 5432");
    EXPECT_THROW(interpolate("${port}", "api", k_ports), Error); // two ports: ambiguous here
    EXPECT_THROW(interpolate("${port}", "worker", k_ports), Error);
}

TEST(Interpolation, DollarsAndPlainText) {
    EXPECT_EQ(interpolate("", "api", k_ports), "");
    EXPECT_EQ(interpolate("no references", "api", k_ports), "no references");
    EXPECT_EQ(interpolate("$$HOME and $$${ports.db.pg}", "api", k_ports), "$HOME and $5432");
    EXPECT_EQ(interpolate("$$${port}", "db", k_ports), "$5432");
    EXPECT_EQ(interpolate("$${port}", "db", k_ports), "${port}");
    EXPECT_EQ(interpolate("cost $5, $HOME, trailing $", "api", k_ports),
              "cost $5, $HOME, trailing $");
}

TEST(Interpolation, UnknownReferenceIsAnError) {
    try {
        interpolate("x${ports.db.pgx}", "api", k_ports);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()),
                  "unknown reference '${ports.db.pgx}' in service 'api'");
        EXPECT_EQ(error.code(), ExitCode::usage);
    }
    EXPECT_THROW(interpolate("${HOME}", "api", k_ports), Error);
    EXPECT_THROW(interpolate("${ports}", "api", k_ports), Error);
    EXPECT_THROW(interpolate("${ports.a.b.c}", "api", k_ports), Error);
    EXPECT_THROW(interpolate("${ports..pg}", "api", k_ports), Error);
    EXPECT_THROW(interpolate("${ports.nope.http}", "api", k_ports), Error);
    EXPECT_THROW(interpolate("${}", "api", k_ports), Error);
}

TEST(Interpolation, UnterminatedReferenceIsAnError) {
    try {
        interpolate("a ${ports.db.pg", "api", k_ports);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()),
                  "unterminated reference '${ports.db.pg' in service 'api'");
    }
}

Manifest sample_manifest() {
    return parse_manifest("[services.api]\n"
                          "go = \"./cmd/api\"\n"
                          "ports = { http = 8080, admin = 8081 }\n"
                          "[services.db]\n"
                          "cmd = [\"postgres\"]\n"
                          "ports = { pg = 5432 }\n"
                          "[services.worker]\n"
                          "cmd = [\"worker\"]\n",
                          "app.toml", "/work/shop");
}

TEST(Interpolation, UnresolvedReferencesAgainstTheManifest) {
    const Manifest manifest = sample_manifest();
    EXPECT_TRUE(unresolved_references("${ports.db.pg} ${port} ${ports.admin} $$x", "api", manifest)
                    .empty());
    EXPECT_EQ(
        unresolved_references("${ports.db.x} ok ${HOME} ${ports.web.http} ${ports.db", "api",
                              manifest),
        (std::vector<std::string>{"${ports.db.x}", "${HOME}", "${ports.web.http}", "${ports.db"}));
    EXPECT_EQ(unresolved_references("${port}", "worker", manifest),
              std::vector<std::string>{"${port}"});
}

TEST(Interpolation, ExplainsReferences) {
    const Manifest manifest = sample_manifest();
    EXPECT_EQ(explain_reference("${ports.dbb.pg}", "api", manifest),
              "there is no service 'dbb'; did you mean 'db'?");
    EXPECT_EQ(explain_reference("${ports.api.zzzzzz}", "db", manifest),
              "service 'api' has no port 'zzzzzz'; its ports are http, admin");
    EXPECT_EQ(explain_reference("${port}", "worker", manifest),
              "service 'worker' declares no ports");
    EXPECT_EQ(explain_reference("${HOME}", "api", manifest),
              "write ${ports.SERVICE.NAME}, ${ports.NAME} or ${port}; $$ is a literal $");
}

TEST(Interpolation, CanonicalReferencesNameTheFirstPort) {
    const Manifest manifest = sample_manifest();
    const ServiceSpec& api = *manifest.find_service("api");
    EXPECT_EQ(canonical_references("a${port}b $${port} $$$x ${ports.admin}", api),
              "a${ports.api.http}b $${port} $$$x ${ports.admin}");
    // With the first port moved, ${port} still means it.
    PortAssignments ports = declared_ports(manifest);
    ports["api"]["http"] = 9090;
    EXPECT_EQ(interpolate(canonical_references("${port}", api), "api", ports), "9090");
}

} // namespace
} // namespace golaunch
