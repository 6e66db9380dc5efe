#include "remedy/manifest_port_edit.hpp"

#include "manifest/loader.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

std::string edit(const test::TempDir& dir, const std::string& text, const std::string& service,
                 const std::string& port, std::uint16_t number) {
    const auto manifest = parse_manifest(text, "app.toml", dir.path());
    return replace_port_number(text, manifest, service, port, number);
}

TEST(ManifestPortEdit, OnlyTheNumberChanges) {
    test::TempDir dir;
    const std::string before =
        "version = 1 # 8080 in a comment\r\n[services.api]\r\ncmd = [\"x\", \"8080\"]\r\n"
        "ports = { admin = 18080, http = 8080 }  # http = 8080\r\n"
        "[services.web]\r\ncmd = [\"true\"]\r\nports = { http = 9090 }";
    const std::string after = edit(dir, before, "api", "http", 8081);
    std::string expected = before;
    const auto at = expected.find("http = 8080 }");
    expected.replace(at + 7, 4, "8081");
    EXPECT_EQ(after, expected);
    EXPECT_EQ(edit(dir, before, "web", "http", 65535),
              before.substr(0, before.size() - 6) + "65535 }");
}

TEST(ManifestPortEdit, SeveralNumbersAtOnceEvenOnOneLineOfAnotherWidth) {
    test::TempDir dir;
    const std::string before = "version = 1\r\n[services.api]\r\ncmd = [\"true\"]\r\n"
                               "ports = { http = 80, admin = 8081 } # two\r\n"
                               "[services.web]\r\ncmd = [\"true\"]\r\nports = { http = 9090 }";
    const auto manifest = parse_manifest(before, "app.toml", dir.path());
    const std::string after = replace_port_numbers(
        before, manifest, {{"api", "http", 18080}, {"api", "admin", 81}, {"web", "http", 9091}});
    EXPECT_EQ(after, "version = 1\r\n[services.api]\r\ncmd = [\"true\"]\r\n"
                     "ports = { http = 18080, admin = 81 } # two\r\n"
                     "[services.web]\r\ncmd = [\"true\"]\r\nports = { http = 9091 }");
    EXPECT_THROW(replace_port_numbers(before, manifest, {{"api", "http", 1}, {"api", "nope", 2}}),
                 Error);
}

TEST(ManifestPortEdit, TableFormAndPortTables) {
    test::TempDir dir;
    const std::string table_form = "version = 1\n[services.api]\ncmd = [\"true\"]\n"
                                   "[services.api.ports]\nhttp = 8080\ngrpc = 8081\n";
    EXPECT_EQ(edit(dir, table_form, "api", "grpc", 18081),
              "version = 1\n[services.api]\ncmd = [\"true\"]\n"
              "[services.api.ports]\nhttp = 8080\ngrpc = 18081\n");
    const std::string with_address =
        "version = 1\n[services.api]\ncmd = [\"true\"]\n"
        "ports = { http = { address = \"127.0.0.1\", port = 8080 } }\n";
    EXPECT_EQ(edit(dir, with_address, "api", "http", 8090),
              "version = 1\n[services.api]\ncmd = [\"true\"]\n"
              "ports = { http = { address = \"127.0.0.1\", port = 8090 } }\n");
}

TEST(ManifestPortEdit, RefusesWhatItCannotEditExactly) {
    test::TempDir dir;
    const std::string hex = "version = 1\n[services.api]\ncmd = [\"true\"]\nports = { http = "
                            "0x1F90 }\n";
    EXPECT_THROW(edit(dir, hex, "api", "http", 8081), Error);
    const std::string underscores = "version = 1\n[services.api]\ncmd = [\"true\"]\n"
                                    "ports = { http = 8_080 }\n";
    EXPECT_THROW(edit(dir, underscores, "api", "http", 8081), Error);
}

} // namespace
} // namespace golaunch
