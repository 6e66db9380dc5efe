// The privileged-port advice: one answer per kind of service, and `golaunch check`
// (check_port_rules) and the EACCES diagnosis of `golaunch run` (diagnose_bind_error) print
// the same one for the same service.
#include "preflight/privileged_port_advice.hpp"

#include "manifest/loader.hpp"
#include "preflight/check_test_support.hpp"
#include "preflight/port_rules_check.hpp"
#include "supervise/bind_diagnosis.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <cerrno>

namespace golaunch {
namespace {

const char* const k_services = "version = 1\n"
                               "[services.api]\ngo = \"./cmd/api\"\nports = { http = 80 }\n"
                               "[services.db]\ncmd = [\"/opt/db/bin/dbd\", \"-p\", \"81\"]\n"
                               "ports = { pg = 81 }\n"
                               "[services.proxy]\nshell = \"exec /usr/sbin/proxy -p 82\"\n"
                               "ports = { http = 82 }\n";

Manifest three_kinds(const test::TempDir& dir) {
    return parse_manifest(k_services, (dir.path() / "app.toml").string(), dir.path());
}

NetConfig unprivileged_user() {
    NetConfig config;
    config.unprivileged_port_start = 1024;
    config.can_bind_privileged = false;
    return config;
}

PrivilegedBind bind_of(const Manifest& manifest, const std::string& service, std::uint16_t port) {
    auto bind = privileged_bind_of(manifest, *manifest.find_service(service));
    bind.port = port;
    return bind;
}

TEST(PrivilegedPortAdvice, GoServiceGetsNoSetcapItsRebuildWouldDrop) {
    test::TempDir dir;
    const auto manifest = three_kinds(dir);
    const auto bind = bind_of(manifest, "api", 80);
    EXPECT_EQ(bind.kind, LaunchKind::go);
    EXPECT_EQ(bind.launched, (dir.path() / ".golaunch" / "bin" / "api").string());
    const auto remedy = privileged_port_remedy(bind);
    EXPECT_NE(remedy.find("pick a port >= 1024"), std::string::npos) << remedy;
    EXPECT_NE(remedy.find("`sudo sysctl -w net.ipv4.ip_unprivileged_port_start=80`"),
              std::string::npos)
        << remedy;
    EXPECT_EQ(remedy.find("sudo setcap"), std::string::npos) << remedy;
    EXPECT_NE(remedy.find("file capabilities are no way out for a `go` service: golaunch "
                          "rebuilds " +
                          bind.launched),
              std::string::npos)
        << remedy;
    EXPECT_EQ(remedy.find("authbind"), std::string::npos) << remedy;
}

TEST(PrivilegedPortAdvice, CmdServiceGetsSetcapOnTheProgramGolaunchStarts) {
    test::TempDir dir;
    const auto bind = bind_of(three_kinds(dir), "db", 81);
    EXPECT_EQ(bind.kind, LaunchKind::cmd);
    EXPECT_EQ(bind.launched, "/opt/db/bin/dbd");
    const auto remedy = privileged_port_remedy(bind);
    EXPECT_NE(remedy.find("`sudo setcap cap_net_bind_service=+ep /opt/db/bin/dbd`"),
              std::string::npos)
        << remedy;
    EXPECT_EQ(remedy.find(".golaunch/bin"), std::string::npos) << remedy;
    EXPECT_EQ(remedy.find("ignore"), std::string::npos) << remedy;
}

TEST(PrivilegedPortAdvice, ShellServiceGetsNoSetcapThatCouldNotWork) {
    test::TempDir dir;
    const auto bind = bind_of(three_kinds(dir), "proxy", 82);
    EXPECT_EQ(bind.kind, LaunchKind::shell);
    EXPECT_EQ(bind.launched, "/bin/sh");
    const auto remedy = privileged_port_remedy(bind);
    EXPECT_EQ(remedy.find("setcap"), std::string::npos) << remedy;
    EXPECT_NE(remedy.find("file capabilities cannot help here: golaunch starts /bin/sh"),
              std::string::npos)
        << remedy;
    EXPECT_NE(remedy.find("`cmd = [...]`"), std::string::npos) << remedy;
}

TEST(PrivilegedPortAdvice, AsRootTheCommandsNeedNoSudo) {
    test::TempDir dir;
    auto bind = bind_of(three_kinds(dir), "db", 81);
    bind.root = true;
    const auto remedy = privileged_port_remedy(bind);
    EXPECT_EQ(remedy.find("sudo"), std::string::npos) << remedy;
    EXPECT_NE(remedy.find("`setcap cap_net_bind_service=+ep /opt/db/bin/dbd`"), std::string::npos);
}

TEST(PrivilegedPortAdvice, AtRunAProgramStartedByAnotherCannotUseFileCapabilities) {
    test::TempDir dir;
    auto bind = bind_of(three_kinds(dir), "db", 81);
    bind.caller = "/opt/db/bin/dbd-worker"; // started by dbd, under NO_NEW_PRIVS
    bind.caller_no_new_privs = true;
    EXPECT_EQ(privileged_port_remedy(bind).find("setcap"), std::string::npos);
    bind.caller_no_new_privs = false; // root's golaunch sets no NO_NEW_PRIVS: it works
    EXPECT_NE(privileged_port_remedy(bind).find(
                  "`sudo setcap cap_net_bind_service=+ep /opt/db/bin/dbd-worker`"),
              std::string::npos);
}

TEST(PrivilegedPortAdvice, LaunchKindOfWhatABindEventReports) {
    EXPECT_EQ(launch_kind_of("/home/me/shop/.golaunch/bin/api"), LaunchKind::go);
    EXPECT_EQ(launch_kind_of("/bin/sh"), LaunchKind::shell);
    EXPECT_EQ(launch_kind_of("/usr/bin/bash"), LaunchKind::shell);
    EXPECT_EQ(launch_kind_of("/usr/bin/python3"), LaunchKind::cmd);
}

// check_port_rules's privileged-port remedy for `service` and the EACCES diagnosis of its bind,
// by the program golaunch starts (`caller` "": the same program) with NO_NEW_PRIVS.
struct Answers {
    std::string check;
    std::string run;
};

Answers answers_for(const Manifest& manifest, const std::string& service, std::uint16_t port,
                    const std::string& caller) {
    const NetConfig config = unprivileged_user();
    test::CheckFixture fixture;
    fixture.manifest = manifest;
    fixture.endpoints = {{service, "p", port, "127.0.0.1"}};
    const auto findings = check_port_rules(fixture.context(), config);
    const Finding* privileged = test::find_id(findings, "privileged-port");
    Answers answers;
    answers.check = privileged ? privileged->remedy : "(no privileged-port finding)";
    BindEvent event;
    event.address = "127.0.0.1";
    event.port = port;
    event.error = EACCES;
    event.pid = 4242;
    event.launched = privileged_bind_of(manifest, *manifest.find_service(service)).launched;
    ProcessInfo process;
    process.pid = 4242;
    process.user = "me";
    process.exe = caller.empty() ? event.launched : caller;
    process.no_new_privs = true;
    answers.run = diagnose_bind_error(event, {}, config, &process).remedy;
    return answers;
}

TEST(PrivilegedPortAdvice, CheckAndRunGiveTheSameAnswerForEachKind) {
    test::TempDir dir;
    const auto manifest = three_kinds(dir);
    for (const auto& [service, port, caller] :
         std::vector<std::tuple<std::string, std::uint16_t, std::string>>{
             {"api", 80, ""}, {"db", 81, ""}, {"proxy", 82, "/usr/sbin/proxy"}}) {
        const auto answers = answers_for(manifest, service, port, caller);
        EXPECT_EQ(answers.run, answers.check) << service;
        EXPECT_NE(answers.check.find("ip_unprivileged_port_start=" + std::to_string(port)),
                  std::string::npos)
            << answers.check;
    }
}

} // namespace
} // namespace golaunch
