// check_go_toolchain with the real go, a PATH without go, and real nsswitch files.
#include "preflight/go_check.hpp"

#include "manifest/loader.hpp"
#include "platform/command_output.hpp"
#include "preflight/check_test_support.hpp"
#include "support/isolated_call.hpp"
#include "support/test_support.hpp"
#include "util/strings.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

using test::find_id;
using test::findings_text;

Manifest go_manifest(const std::string& api_env = "") {
    return parse_manifest("[services.api]\n"
                          "go = \"./cmd/api\"\n" +
                              (api_env.empty() ? std::string() : "env = { " + api_env + " }\n") +
                              "[services.db]\n"
                              "cmd = [\"postgres\"]\n",
                          "app.toml", "/work/shop");
}

CheckContext context_of(const Manifest& manifest, std::vector<std::string> services = {}) {
    static const std::vector<DeclaredEndpoint> none;
    return CheckContext{manifest, std::move(services),   declared_ports(manifest),
                        none,     system_socket_table(), "/etc/hosts"};
}

GoEnvironment environment_with(const std::map<std::string, std::string>& extra) {
    GoEnvironment environment = GoEnvironment::from_this_process();
    for (const auto& [key, value] : extra) {
        environment.variables[key] = value;
    }
    return environment;
}

TEST(GoCheck, NothingWithoutGoServices) {
    const auto manifest = go_manifest();
    EXPECT_TRUE(check_go_toolchain(context_of(manifest, {"db"})).empty());
}

TEST(GoCheck, MissingGoOnPath) {
    test::TempDir empty;
    const auto manifest = go_manifest();
    auto environment = environment_with({{"PATH", empty.path().string()}});
    const auto findings = check_go_toolchain(context_of(manifest), environment);
    const Finding* missing = find_id(findings, "go-missing");
    ASSERT_NE(missing, nullptr) << findings_text(findings);
    EXPECT_EQ(missing->severity, Severity::error);
    EXPECT_NE(missing->message.find("api (go = \"./cmd/api\")"), std::string::npos);
    EXPECT_NE(missing->remedy.find("apt install golang-go"), std::string::npos);
    EXPECT_EQ(missing->evidence.at(0), "PATH=" + empty.path().string());
    EXPECT_EQ(find_id(findings, "go-version"), nullptr);
}

TEST(GoCheck, RealGoVersion) {
    auto environment = GoEnvironment::from_this_process();
    environment.timeout = std::chrono::seconds(60); // `go env` on a loaded machine, under ASan
    const std::string go = find_in_path(
        "go", environment.variables.count("PATH") ? environment.variables.at("PATH") : "");
    if (go.empty()) {
        GTEST_SKIP() << "go is not installed";
    }
    const auto manifest = go_manifest();
    const auto findings = check_go_toolchain(context_of(manifest), environment);
    const Finding* version = find_id(findings, "go-version");
    ASSERT_NE(version, nullptr) << findings_text(findings);
    EXPECT_EQ(version->severity, Severity::info) << findings_text(findings);
    const auto real = run_command({go, "env", "GOVERSION"}, std::chrono::seconds(60));
    ASSERT_EQ(real.exit_code, 0);
    EXPECT_EQ(version->message, "Go " + std::string(trim(real.out)) + " at " + go);
    EXPECT_EQ(find_id(findings, "go-missing"), nullptr);
    EXPECT_NE(find_id(findings, "go-resolver"), nullptr);
}

TEST(GoCheck, NetdnsSettingsAreReported) {
    const auto manifest = go_manifest("GODEBUG = \"http2debug=1,netdns=cgo+1\"");
    auto environment =
        environment_with({{"GODEBUG", "netdns=go"}, {"GOFLAGS", "-tags=netgo -trimpath"}});
    const auto findings = check_go_toolchain(context_of(manifest), environment);
    const std::string text = findings_text(findings);
    EXPECT_NE(text.find("GODEBUG netdns=go (golaunch's environment) makes every Go service use "
                        "the pure-Go resolver"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("godebug-netdns info go api"), std::string::npos) << text;
    EXPECT_NE(text.find("netdns=cgo+1 in [services.api] env makes it use the C library resolver"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("print its decision"), std::string::npos) << text;
    EXPECT_NE(text.find("GOFLAGS builds with the 'netgo' tag"), std::string::npos) << text;
}

TEST(GoCheck, PureGoResolverSkipsNsswitchSources) {
    test::TempDir dir;
    const auto manifest = go_manifest();
    auto environment = environment_with({{"CGO_ENABLED", "0"}, {"GODEBUG", ""}, {"GOFLAGS", ""}});
    environment.nsswitch_conf =
        dir.write("nsswitch.conf", "# test\npasswd: files\nhosts:  files mdns4_minimal "
                                   "[NOTFOUND=return] dns myhostname # comment\n");
    auto findings = check_go_toolchain(context_of(manifest), environment);
    const Finding* resolver = find_id(findings, "go-resolver");
    ASSERT_NE(resolver, nullptr) << findings_text(findings);
    EXPECT_EQ(resolver->severity, Severity::warning);
    EXPECT_NE(resolver->message.find("mdns4_minimal, myhostname"), std::string::npos)
        << resolver->message;
    EXPECT_EQ(resolver->evidence.at(0), "CGO_ENABLED = 0");

    environment.nsswitch_conf = dir.write("plain.conf", "hosts: files dns\n");
    findings = check_go_toolchain(context_of(manifest), environment);
    resolver = find_id(findings, "go-resolver");
    ASSERT_NE(resolver, nullptr);
    EXPECT_EQ(resolver->severity, Severity::info);

    environment.variables["CGO_ENABLED"] = "1";
    environment.nsswitch_conf = dir.path() / "nsswitch.conf";
    findings = check_go_toolchain(context_of(manifest), environment);
    resolver = find_id(findings, "go-resolver");
    ASSERT_NE(resolver, nullptr);
    EXPECT_EQ(resolver->severity, Severity::info);
    EXPECT_NE(resolver->message.find("hand lookups to the C library"), std::string::npos);
}

// The remedy's `golaunch fix` is the command that fixes this project's hosts file: with the
// manifest and the --hosts-file this check was given, as the hosts findings print it. Without
// [hosts] there is nothing for fix to add, and it is not offered.
TEST(GoCheck, PureGoResolverRemedyNamesTheManifestAndTheHostsFile) {
    test::TempDir dir;
    const auto hosts = dir.write("hosts", "127.0.0.1 localhost\n");
    const auto with_hosts = parse_manifest("[hosts]\n\"api.shop.test\" = \"127.0.0.1\"\n"
                                           "[services.api]\ngo = \"./cmd/api\"\n",
                                           "app.toml", "/work/shop");
    auto environment = environment_with({{"CGO_ENABLED", "0"}, {"GODEBUG", ""}, {"GOFLAGS", ""}});
    environment.nsswitch_conf = dir.write("nsswitch.conf", "hosts: files mdns4_minimal dns\n");
    auto context = context_of(with_hosts);
    context.hosts_file = hosts;
    auto findings = check_go_toolchain(context, environment);
    const Finding* resolver = find_id(findings, "go-resolver");
    ASSERT_NE(resolver, nullptr) << findings_text(findings);
    EXPECT_NE(resolver->remedy.find("`golaunch fix app.toml --hosts-file " + hosts.string() + "`"),
              std::string::npos)
        << resolver->remedy;

    const auto without_hosts = go_manifest();
    findings = check_go_toolchain(context_of(without_hosts), environment);
    resolver = find_id(findings, "go-resolver");
    ASSERT_NE(resolver, nullptr) << findings_text(findings);
    EXPECT_EQ(resolver->remedy.find("golaunch fix"), std::string::npos) << resolver->remedy;
}

TEST(GoCheck, NsswitchHostsSources) {
    EXPECT_EQ(nsswitch_hosts_sources("hosts: files [!UNAVAIL=return] dns\n"),
              (std::vector<std::string>{"files", "dns"}));
    EXPECT_EQ(nsswitch_hosts_sources("hosts: files [NOTFOUND=return success=continue] mdns\n"),
              (std::vector<std::string>{"files", "mdns"}));
    EXPECT_TRUE(nsswitch_hosts_sources("passwd: files\n#hosts: dns\n").empty());
}

} // namespace
} // namespace golaunch
