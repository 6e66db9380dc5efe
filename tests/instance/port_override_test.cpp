#include "instance/port_override.hpp"
#include "preflight/override_check.hpp"
#include "remedy/port_override_edit.hpp"

#include "manifest/loader.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

Manifest two_services(const test::TempDir& dir) {
    return parse_manifest("version = 1\n[services.api]\ncmd = [\"true\"]\nports = { http = 8080, "
                          "admin = 8081 }\n[services.web]\ncmd = [\"true\"]\nports = { http = "
                          "9090 }\n",
                          "app.toml", dir.path());
}

TEST(PortOverride, WriteThenReadRoundTripsSortedWithAHeader) {
    test::TempDir dir;
    const auto file = port_override_path(dir.path());
    EXPECT_EQ(file, dir.path() / ".golaunch" / "ports.toml");
    auto overrides = with_override({}, "web", "http", 19090);
    overrides = with_override(overrides, "api", "http", 18080);
    overrides = with_override(overrides, "api", "http", 18081); // replaces
    write_port_overrides(file, overrides);
    const std::string text = test::read_file(file);
    EXPECT_EQ(text.substr(text.find("\n[")),
              "\n[ports.api]\nhttp = 18081\n\n[ports.web]\nhttp = 19090\n");
    EXPECT_EQ(text.rfind("# Port overrides", 0), 0u);
    const auto read = read_port_overrides(file);
    ASSERT_EQ(read.size(), 2u);
    EXPECT_EQ(read[0].service, "api");
    EXPECT_EQ(read[0].number, 18081);
    EXPECT_EQ(read[0].where.line, 6);
    EXPECT_EQ(read[1].service, "web");
    write_port_overrides(file,
                         without_override(without_override(read, "api", "http"), "web", "http"));
    EXPECT_FALSE(std::filesystem::exists(file));
    EXPECT_TRUE(read_port_overrides(file).empty());
}

TEST(PortOverride, ApplyChangesTheNumbersAndSaysSo) {
    test::TempDir dir;
    auto manifest = two_services(dir);
    const std::vector<PortOverride> overrides{{"api", "admin", 18081, {"ports.toml", 3, 9}},
                                              {"web", "http", 9090, {"ports.toml", 5, 8}},
                                              {"db", "pg", 15432, {"ports.toml", 7, 6}},
                                              {"api", "grpc", 15000, {"ports.toml", 8, 8}}};
    const auto findings = apply_port_overrides(manifest, overrides);
    EXPECT_EQ(manifest.find_service("api")->find_port("admin")->number, 18081);
    EXPECT_EQ(manifest.find_service("api")->find_port("http")->number, 8080);
    ASSERT_EQ(findings.size(), 3u); // web.http already 9090: nothing to say
    EXPECT_EQ(findings[0].id, "port-override");
    EXPECT_EQ(findings[0].severity, Severity::info);
    EXPECT_EQ(findings[0].message, "api.admin uses 18081 instead of 8081: port override from "
                                   ".golaunch/ports.toml");
    EXPECT_EQ(findings[1].id, "port-override-unknown");
    EXPECT_NE(findings[1].message.find("no such service"), std::string::npos);
    EXPECT_EQ(findings[1].evidence[0], "ports.toml:7:6: pg = 15432");
    EXPECT_NE(findings[2].message.find("no such port"), std::string::npos);
}

TEST(PortOverride, BadInputIsALocatedErrorWithAHint) {
    test::TempDir dir;
    const auto file = dir.write(".golaunch/ports.toml", "[ports.api]\nhttp = 70000\n");
    try {
        read_port_overrides(file);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_TRUE(e.is_located());
        EXPECT_EQ(e.code(), ExitCode::usage);
        EXPECT_NE(std::string(e.what()).find(file.string() + ":2:8: error: 'ports.api.http' must "
                                                             "be between 1 and 65535, not 70000"),
                  std::string::npos)
            << e.what();
        EXPECT_NE(e.hint().find("delete the file"), std::string::npos);
    }
    dir.write(".golaunch/ports.toml", "[ports.api]\nhttp = \"x\"\n");
    EXPECT_THROW(read_port_overrides(file), Error);
    dir.write(".golaunch/ports.toml", "[prots]\n");
    try {
        read_port_overrides(file);
        FAIL() << "expected an error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(":1:"), std::string::npos) << e.what();
        EXPECT_NE(e.hint().find("did you mean 'ports'?"), std::string::npos) << e.hint();
    }
    dir.write(".golaunch/ports.toml", "[ports.api\n");
    EXPECT_THROW(read_port_overrides(file), Error);
}

} // namespace
} // namespace golaunch
