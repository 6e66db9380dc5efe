// Remedies as Windows prints them (run under Wine in CI): the real checks, with nothing of
// Linux in the text. Under Wine `golaunch check` printed "`sudo apt install golang-go`" for a
// missing go, and the hosts remedy "(as root: sudo golaunch fix ...)".
#include "manifest/manifest.hpp"
#include "platform/admin_commands.hpp"
#include "platform/hosts_path.hpp"
#include "platform/process_info.hpp"
#include "platform/socket_table.hpp"
#include "preflight/check_test_support.hpp"
#include "preflight/go_check.hpp"
#include "preflight/hosts_check.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

void expect_windows_words(const std::string& text) {
    for (const char* linux_word : {"sudo", "apt ", "sysctl", "ip addr", "/etc/", " dev lo"}) {
        EXPECT_EQ(text.find(linux_word), std::string::npos) << linux_word << " in: " << text;
    }
}

TEST(RemedyTextWin32, MissingGoSaysHowToInstallItOnWindows) {
    test::TempDir empty;
    Manifest manifest;
    manifest.name = "shop";
    ServiceSpec api;
    api.name = "api";
    api.go_package = "./cmd/api";
    manifest.services.push_back(api);
    const CheckContext context{
        manifest, {}, declared_ports(manifest), {}, system_socket_table(), empty.path() / "hosts"};
    auto environment = GoEnvironment::from_this_process();
    environment.variables["PATH"] = empty.path().string();
    const auto findings = check_go_toolchain(context, environment);
    const Finding* missing = test::find_id(findings, "go-missing");
    ASSERT_NE(missing, nullptr);
    EXPECT_NE(missing->remedy.find("winget install GoLang.Go"), std::string::npos)
        << missing->remedy;
    expect_windows_words(missing->remedy);
}

TEST(RemedyTextWin32, AMissingHostNamesAnAdministratorTerminalForTheSystemFile) {
    Manifest manifest;
    manifest.name = "shop";
    manifest.hosts.push_back({"api.shop.test", "127.0.0.1", {"app.toml", 3, 1}});
    CheckContext context{
        manifest, {}, declared_ports(manifest), {}, system_socket_table(), system_hosts_path()};
    context.network = false;
    const auto findings = check_hosts(context);
    const Finding* missing = test::find_id(findings, "host-missing");
    ASSERT_NE(missing, nullptr);
    EXPECT_NE(missing->remedy.find("Run as administrator"), std::string::npos) << missing->remedy;
    expect_windows_words(missing->remedy);
}

TEST(RemedyTextWin32, CommandsNeedingRightsNameTheTerminalAndWindowsTools) {
    EXPECT_EQ(elevated("golaunch who 80"),
              "`golaunch who 80` in a terminal opened with \"Run as administrator\"");
    EXPECT_NE(reserve_port_instruction(8080).find(
                  "`netsh int ipv4 add excludedportrange protocol=tcp startport=8080 "
                  "numberofports=1`"),
              std::string::npos);
    for (const auto& text :
         {elevated("x"), rerun_elevated_hint("golaunch fix"), reserve_port_instruction(8080),
          add_local_address_instruction("192.0.2.7"), enable_ipv6_instruction(),
          restore_ipv6_loopback_instruction(), ephemeral_range_source()}) {
        expect_windows_words(text);
    }
    // taskkill without /F refuses a console program ("can only be terminated forcefully").
    EXPECT_EQ(kill_command_text({7}), "taskkill /F /PID 7");
}

} // namespace
} // namespace golaunch
