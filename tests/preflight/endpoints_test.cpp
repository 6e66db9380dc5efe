// declared_endpoints: the bind address from the manifest or read from the command line.
#include "preflight/endpoints.hpp"

#include "manifest/loader.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

Manifest parse(const std::string& text) {
    return parse_manifest(text, "app.toml", "/work/shop");
}

TEST(Endpoints, AddressForPortForms) {
    EXPECT_EQ(address_for_port("127.0.0.1:8080", 8080), "127.0.0.1");
    EXPECT_EQ(address_for_port("-addr=127.0.0.1:8080", 8080), "127.0.0.1");
    EXPECT_EQ(address_for_port("--listen [::1]:8080", 8080), "::1");
    EXPECT_EQ(address_for_port("[::]:8080", 8080), "::");
    EXPECT_EQ(address_for_port(":8080", 8080), "::");
    EXPECT_EQ(address_for_port("--addr :8080", 8080), "::");
    EXPECT_EQ(address_for_port("localhost:8080", 8080), "localhost");
    EXPECT_EQ(address_for_port("0.0.0.0:8080", 8080), "0.0.0.0");
    // Not this port, or part of a longer number.
    EXPECT_EQ(address_for_port("127.0.0.1:80800", 8080), "");
    EXPECT_EQ(address_for_port("127.0.0.1:18080", 8080), "");
    EXPECT_EQ(address_for_port("-port 8080", 8080), "");
    // URLs say where to connect, not where to bind.
    EXPECT_EQ(address_for_port("http://api.shop.test:8080/health", 8080), "");
    EXPECT_EQ(address_for_port("http://[::1]:8080/", 8080), "");
    // The first HOST:PORT outside a URL wins.
    EXPECT_EQ(address_for_port("http://x:8080 then 127.0.0.2:8080", 8080), "127.0.0.2");
}

TEST(Endpoints, ExplicitInferredAndUnknown) {
    const auto manifest =
        parse("[services.api]\n"
              "go = \"./cmd/api\"\n"
              "args = [\"-addr\", \"127.0.0.1:${port}\", \"-admin\", \"[::1]:${ports.admin}\"]\n"
              "ports = { http = 8080, admin = 8081 }\n"
              "[services.web]\n"
              "shell = \"serve --listen :${port}\"\n"
              "env = { API = \"http://127.0.0.1:${ports.api.http}\" }\n"
              "ports = { http = 3000 }\n"
              "[services.db]\n"
              "cmd = [\"db\", \"-port\", \"${port}\"]\n"
              "env = { PUBLIC_URL = \"http://db.shop.test:${port}/\" }\n"
              "ports = { pg = { port = 5432, address = \"10.1.2.3\" }, metrics = 9100 }\n");
    const auto endpoints = declared_endpoints(manifest, {}, declared_ports(manifest));
    ASSERT_EQ(endpoints.size(), 5U);
    EXPECT_EQ(endpoints[0].service, "api");
    EXPECT_EQ(endpoints[0].port_name, "http");
    EXPECT_EQ(endpoints[0].port, 8080);
    EXPECT_EQ(endpoints[0].address, "127.0.0.1");
    EXPECT_EQ(endpoints[1].port_name, "admin");
    EXPECT_EQ(endpoints[1].address, "::1");
    EXPECT_EQ(endpoints[2].service, "web");
    EXPECT_EQ(endpoints[2].address, "::"); // ":3000"; the API URL names another port
    EXPECT_EQ(endpoints[3].service, "db");
    EXPECT_EQ(endpoints[3].address, "10.1.2.3"); // explicit
    EXPECT_EQ(endpoints[4].port_name, "metrics");
    EXPECT_EQ(endpoints[4].address, ""); // nothing says
}

TEST(Endpoints, SelectedServicesAndMovedPorts) {
    const auto manifest = parse("[services.api]\n"
                                "go = \"./cmd/api\"\n"
                                "args = [\"-addr\", \"127.0.0.1:${port}\"]\n"
                                "ports = { http = 8080 }\n"
                                "[services.web]\n"
                                "cmd = [\"web\"]\n"
                                "ports = { http = 3000 }\n");
    PortAssignments ports = declared_ports(manifest);
    ports["api"]["http"] = 8099; // moved by next-free or an override
    const auto endpoints = declared_endpoints(manifest, {"api"}, ports);
    ASSERT_EQ(endpoints.size(), 1U);
    EXPECT_EQ(endpoints[0].port, 8099);
    EXPECT_EQ(endpoints[0].address, "127.0.0.1"); // found next to the moved number
}

} // namespace
} // namespace golaunch
