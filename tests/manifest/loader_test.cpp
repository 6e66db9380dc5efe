// Manifest loading: the happy path, defaults inheritance, declaration order, file lookup.
#include <unistd.h>

#include "manifest/loader.hpp"
#include "support/test_support.hpp"
#include "util/error.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_full_manifest = R"(version = 1
name = "shop"

[defaults]
startup_timeout = "20s"
restart = "always"
max_restarts = 3
backoff = { initial = "250ms", max = "1m" }
stop_grace = "5s"
on_port_conflict = "next-free"

[hosts]
"api.shop.test" = "127.0.0.1"
"admin.shop.test" = "::1"

[services.web]
shell = "npm run dev -- --port ${port}"
ports = { http = 3000 }
depends_on = ["api"]
restart = "no"

[services.api]
go = "./cmd/api"
args = ["-addr", "127.0.0.1:${ports.api.http}", "-admin", "${ports.admin}", "-x", "$$HOME"]
env = { DB_URL = "postgres://127.0.0.1:${ports.db.pg}/shop", WORKERS = 4, DEBUG = true, RATIO = 0.5 }
env_file = ".env"
dir = "services/api"
ports = { http = 8080, admin = 8081, debug = 6060 }
hosts = ["api.shop.test"]
depends_on = ["db"]
ready = "ports"
backoff = { max = "10s" }
startup_timeout = "45s"

[services.db]
cmd = ["postgres", "-D", "./data", "-p", "${port}"]
ports = { pg = 5432 }
)";

Manifest full_manifest() {
    return parse_manifest(k_full_manifest, "golaunch.toml", "/work/shop");
}

TEST(ManifestLoader, ReadsTopLevel) {
    const Manifest manifest = full_manifest();
    EXPECT_EQ(manifest.version, 1);
    EXPECT_EQ(manifest.name, "shop");
    EXPECT_EQ(manifest.path, "golaunch.toml");
    EXPECT_EQ(manifest.root_dir, "/work/shop");
    EXPECT_EQ(manifest.defaults.startup_timeout, 20s);
    EXPECT_EQ(manifest.defaults.restart, RestartPolicy::always);
    EXPECT_EQ(manifest.defaults.max_restarts, 3);
    EXPECT_EQ(manifest.defaults.backoff.initial, 250ms);
    EXPECT_EQ(manifest.defaults.backoff.max, 1min);
    EXPECT_EQ(manifest.defaults.stop_grace, 5s);
    EXPECT_EQ(manifest.defaults.on_port_conflict, PortConflictPolicy::next_free);
}

TEST(ManifestLoader, HostsKeepFileOrder) {
    const Manifest manifest = full_manifest();
    ASSERT_EQ(manifest.hosts.size(), 2u);
    EXPECT_EQ(manifest.hosts[0].name, "api.shop.test");
    EXPECT_EQ(manifest.hosts[0].address, "127.0.0.1");
    EXPECT_EQ(manifest.hosts[0].where.line, 13);
    EXPECT_EQ(manifest.hosts[1].name, "admin.shop.test");
    EXPECT_EQ(manifest.hosts[1].address, "::1");
}

TEST(ManifestLoader, ServicesKeepFileOrder) {
    const Manifest manifest = full_manifest();
    ASSERT_EQ(manifest.services.size(), 3u);
    EXPECT_EQ(manifest.services[0].name, "web");
    EXPECT_EQ(manifest.services[1].name, "api");
    EXPECT_EQ(manifest.services[2].name, "db");
    EXPECT_EQ(manifest.services[1].where.file, "golaunch.toml");
    EXPECT_EQ(manifest.services[1].where.line, 22);
    EXPECT_EQ(manifest.services[1].where.column, 11);
}

TEST(ManifestLoader, ServiceInheritsAndOverridesDefaults) {
    const Manifest manifest = full_manifest();
    const ServiceSpec& api = *manifest.find_service("api");
    EXPECT_EQ(api.startup_timeout, 45s);
    EXPECT_EQ(api.restart, RestartPolicy::always);
    EXPECT_EQ(api.max_restarts, 3);
    EXPECT_EQ(api.backoff.initial, 250ms); // from [defaults]
    EXPECT_EQ(api.backoff.max, 10s);       // its own
    EXPECT_EQ(api.stop_grace, 5s);
    EXPECT_EQ(api.on_port_conflict, PortConflictPolicy::next_free);
    const ServiceSpec& web = *manifest.find_service("web");
    EXPECT_EQ(web.restart, RestartPolicy::no);
    EXPECT_EQ(web.startup_timeout, 20s);
}

TEST(ManifestLoader, BuiltInDefaultsWithoutDefaultsTable) {
    const Manifest manifest =
        parse_manifest("[services.api]\ngo = \"./cmd/api\"\n", "app.toml", "/home/me/myproject");
    EXPECT_EQ(manifest.name, "myproject");
    const ServiceSpec& api = manifest.services.at(0);
    EXPECT_EQ(api.startup_timeout, 30s);
    EXPECT_EQ(api.restart, RestartPolicy::on_failure);
    EXPECT_EQ(api.max_restarts, 5);
    EXPECT_EQ(api.backoff.initial, 500ms);
    EXPECT_EQ(api.backoff.max, 30s);
    EXPECT_EQ(api.stop_grace, 10s);
    EXPECT_EQ(api.on_port_conflict, PortConflictPolicy::fail);
}

// The default name marks the hosts-file block too, whose markers are read trimmed.
TEST(ManifestLoader, DefaultNameIsTheDirectoryNameWithoutSurroundingSpaces) {
    const std::string text = "[services.api]\ncmd = [\"true\"]\n";
    EXPECT_EQ(parse_manifest(text, "app.toml", "/home/me/ my project ").name, "my project");
    EXPECT_EQ(parse_manifest(text, "app.toml", "/home/me/shop /").name, "shop");
    EXPECT_EQ(parse_manifest(text, "app.toml", "/home/me/  /").name, "golaunch");
}

TEST(ManifestLoader, PortsKeepDeclarationOrder) {
    const Manifest manifest = full_manifest();
    const ServiceSpec& api = *manifest.find_service("api");
    ASSERT_EQ(api.ports.size(), 3u);
    EXPECT_EQ(api.ports[0].name, "http");
    EXPECT_EQ(api.ports[0].number, 8080);
    EXPECT_EQ(api.ports[1].name, "admin");
    EXPECT_EQ(api.ports[2].name, "debug");
    EXPECT_EQ(api.ports[2].number, 6060);
    EXPECT_EQ(api.ports[0].where.line, 28);
    EXPECT_EQ(api.ports[0].where.column, 18);
    const PortAssignments ports = declared_ports(manifest);
    EXPECT_EQ(ports.at("api").at("admin"), 8081);
    EXPECT_EQ(ports.at("db").at("pg"), 5432);
}

TEST(ManifestLoader, ServiceFields) {
    const Manifest manifest = full_manifest();
    const ServiceSpec& api = *manifest.find_service("api");
    EXPECT_EQ(api.go_package, "./cmd/api");
    EXPECT_TRUE(api.cmd.empty());
    EXPECT_EQ(api.env_file, ".env");
    EXPECT_EQ(api.dir, "services/api");
    EXPECT_EQ(api.hosts, std::vector<std::string>{"api.shop.test"});
    EXPECT_EQ(api.depends_on, std::vector<std::string>{"db"});
    EXPECT_EQ(api.args, (std::vector<std::string>{"-addr", "127.0.0.1:${ports.api.http}", "-admin",
                                                  "${ports.admin}", "-x", "$$HOME"}));
    const ServiceSpec& web = *manifest.find_service("web");
    EXPECT_EQ(web.shell, "npm run dev -- --port ${ports.web.http}"); // ${port} made explicit
    const ServiceSpec& db = *manifest.find_service("db");
    EXPECT_EQ(db.cmd,
              (std::vector<std::string>{"postgres", "-D", "./data", "-p", "${ports.db.pg}"}));
}

TEST(ManifestLoader, EnvValuesBecomeText) {
    const Manifest manifest = full_manifest();
    const auto& env = manifest.find_service("api")->env;
    EXPECT_EQ(env.at("DB_URL"), "postgres://127.0.0.1:${ports.db.pg}/shop");
    EXPECT_EQ(env.at("WORKERS"), "4");
    EXPECT_EQ(env.at("DEBUG"), "true");
    EXPECT_EQ(env.at("RATIO"), "0.5");
}

TEST(ManifestLoader, LoadsFromDiskWithRootDirAndDefaultName) {
    const test::TempDir dir;
    const auto path = dir.write("myshop/app.toml", "[services.api]\ngo = \"./cmd/api\"\n");
    const Manifest manifest = load_manifest(path);
    EXPECT_EQ(manifest.path, path);
    EXPECT_EQ(manifest.root_dir, dir.path() / "myshop");
    EXPECT_EQ(manifest.name, "myshop");
}

TEST(ManifestLoader, ErrorsNameTheFileAsGiven) {
    const test::TempDir dir;
    const auto path = dir.write("app.toml", "[services.api]\ngo = 1\n");
    try {
        load_manifest(path);
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()), path.string() +
                                                 ":2:6: error: 'go' must be a string, not an "
                                                 "integer\n"
                                                 "    2 | go = 1\n"
                                                 "      |      ^");
    }
}

TEST(ManifestLoader, DefaultManifestPathPrefersGolaunchToml) {
    const test::TempDir dir;
    EXPECT_THROW(default_manifest_path(dir.path()), Error);
    dir.write("app.toml", "");
    EXPECT_EQ(default_manifest_path(dir.path()), dir.path() / "app.toml");
    dir.write("golaunch.toml", "");
    EXPECT_EQ(default_manifest_path(dir.path()), dir.path() / "golaunch.toml");
}

TEST(ManifestLoader, DefaultManifestPathErrorIsAUsageError) {
    const test::TempDir dir;
    try {
        default_manifest_path(dir.path());
        FAIL() << "no error";
    } catch (const Error& error) {
        EXPECT_EQ(std::string(error.what()),
                  "no golaunch.toml or app.toml in " + dir.path().string());
        EXPECT_EQ(error.code(), ExitCode::usage);
    }
}

} // namespace
} // namespace golaunch
