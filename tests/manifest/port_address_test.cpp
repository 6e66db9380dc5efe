// `ports = { http = { port = 8080, address = "127.0.0.1" } }`: the explicit bind address.
#include "manifest/loader.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

#include <string>

namespace golaunch {
namespace {

Manifest parse(const std::string& text) {
    return parse_manifest(text, "app.toml", "/work/shop");
}

Error manifest_error(const std::string& text) {
    try {
        parse(text);
    } catch (const Error& error) {
        return error;
    }
    ADD_FAILURE() << "no error for:\n" << text;
    return Error("no error");
}

TEST(PortAddress, TableFormSetsNumberAndAddress) {
    const auto manifest = parse("[services.api]\n"
                                "go = \"./cmd/api\"\n"
                                "ports = { http = { port = 8080, address = \"127.0.0.1\" }, "
                                "admin = 9000, v6 = { port = 9001, address = \"::1\" } }\n");
    const auto& ports = manifest.services.at(0).ports;
    ASSERT_EQ(ports.size(), 3U);
    EXPECT_EQ(ports[0].name, "http");
    EXPECT_EQ(ports[0].number, 8080);
    EXPECT_EQ(ports[0].address, "127.0.0.1");
    EXPECT_EQ(ports[0].where.line, 3);
    EXPECT_EQ(ports[1].name, "admin");
    EXPECT_EQ(ports[1].number, 9000);
    EXPECT_EQ(ports[1].address, "");
    EXPECT_EQ(ports[2].address, "::1");
    EXPECT_EQ(declared_ports(manifest).at("api").at("http"), 8080);
}

TEST(PortAddress, TableWithoutAddressAndSubTableSyntax) {
    const auto manifest = parse("[services.api]\n"
                                "go = \"./cmd/api\"\n"
                                "[services.api.ports.http]\n"
                                "port = 8081\n");
    ASSERT_EQ(manifest.services.at(0).ports.size(), 1U);
    EXPECT_EQ(manifest.services.at(0).ports[0].number, 8081);
    EXPECT_EQ(manifest.services.at(0).ports[0].address, "");
}

TEST(PortAddress, MissingPortNumberIsLocated) {
    const Error error = manifest_error("[services.api]\n"
                                       "go = \"./cmd/api\"\n"
                                       "ports = { http = { address = \"127.0.0.1\" } }\n");
    EXPECT_EQ(std::string(error.what()), "app.toml:3:18: error: 'ports.http' needs a port number\n"
                                         "    3 | ports = { http = { address = \"127.0.0.1\" } }\n"
                                         "      |                  ^");
    EXPECT_EQ(error.hint(), "e.g. http = { port = 8080, address = \"127.0.0.1\" }");
    EXPECT_EQ(error.code(), ExitCode::usage);
}

TEST(PortAddress, AddressWithPortOrBracketsIsRejected) {
    const Error error =
        manifest_error("[services.api]\n"
                       "go = \"./cmd/api\"\n"
                       "ports = { http = { port = 8080, address = \"127.0.0.1:8080\" } }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:43: error: invalid address '127.0.0.1:8080' for 'ports.http'\n"
              "    3 | ports = { http = { port = 8080, address = \"127.0.0.1:8080\" } }\n"
              "      |                                           ^");
    EXPECT_NE(error.hint().find("without brackets or port"), std::string::npos);
    const Error brackets = manifest_error("[services.api]\n"
                                          "go = \"./cmd/api\"\n"
                                          "ports = { http = { port = 1, address = \"[::1]\" } }\n");
    EXPECT_NE(std::string(brackets.what()).find("invalid address '[::1]'"), std::string::npos);
}

// A bind address is an IP literal: "999.1.1.1" is no IPv4 address (and no host name either,
// though every label is digits), and a host name may resolve to several addresses.
TEST(PortAddress, AddressMustBeAnIpLiteral) {
    const std::string prefix = "[services.api]\n"
                               "go = \"./cmd/api\"\n";
    Error error =
        manifest_error(prefix + "ports = { http = { port = 8080, address = \"999.1.1.1\" } }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:43: error: invalid address '999.1.1.1' for 'ports.http'\n"
              "    3 | ports = { http = { port = 8080, address = \"999.1.1.1\" } }\n"
              "      |                                           ^");
    EXPECT_EQ(error.hint(), "write an IP address without brackets or port, e.g. 127.0.0.1, ::1, "
                            "0.0.0.0 or ::");
    EXPECT_EQ(error.code(), ExitCode::usage);

    error =
        manifest_error(prefix + "ports = { http = { port = 8080, address = \"localhost\" } }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:43: error: 'ports.http' must bind an IP address, not the host name "
              "'localhost'\n"
              "    3 | ports = { http = { port = 8080, address = \"localhost\" } }\n"
              "      |                                           ^");
    EXPECT_EQ(error.hint(), "write 127.0.0.1 or ::1: 'localhost' can mean either, and the "
                            "preflight checks the address that is bound");

    error = manifest_error(prefix +
                           "[services.api.ports.http]\nport = 8080\naddress = \"api.shop.test\"\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:5:11: error: 'ports.http' must bind an IP address, not the host name "
              "'api.shop.test'\n"
              "    5 | address = \"api.shop.test\"\n"
              "      |           ^");
    EXPECT_EQ(error.hint(), "write the IP address the service binds, e.g. 127.0.0.1, ::1, "
                            "0.0.0.0 or ::; its host names go in hosts = [...] and [hosts]");
}

TEST(PortAddress, UnknownKeyInPortTableSuggestsAddress) {
    const Error error =
        manifest_error("[services.api]\n"
                       "go = \"./cmd/api\"\n"
                       "ports = { http = { port = 8080, adress = \"127.0.0.1\" } }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:33: error: unknown key 'adress' in 'ports.http'\n"
              "    3 | ports = { http = { port = 8080, adress = \"127.0.0.1\" } }\n"
              "      |                                 ^");
    EXPECT_EQ(error.hint(), "did you mean 'address'?");
}

TEST(PortAddress, WrongTypesAndRangeInTable) {
    Error error = manifest_error("[services.api]\n"
                                 "go = \"./cmd/api\"\n"
                                 "ports = { http = { port = 70000 } }\n");
    EXPECT_EQ(std::string(error.what()),
              "app.toml:3:27: error: 'ports.http' must be between 1 and 65535, not 70000\n"
              "    3 | ports = { http = { port = 70000 } }\n"
              "      |                           ^");
    error = manifest_error("[services.api]\n"
                           "go = \"./cmd/api\"\n"
                           "ports = { http = { port = 80, address = 127 } }\n");
    EXPECT_NE(std::string(error.what())
                  .find("app.toml:3:41: error: 'ports.http.address' must be "
                        "a string, not an integer"),
              std::string::npos)
        << error.what();
    error = manifest_error("[services.api]\n"
                           "go = \"./cmd/api\"\n"
                           "ports = { http = \"8080\" }\n");
    EXPECT_NE(std::string(error.what()).find("'ports.http' must be an integer, not a string"),
              std::string::npos)
        << error.what();
}

} // namespace
} // namespace golaunch
