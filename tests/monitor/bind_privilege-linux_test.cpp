// The bind monitor emulates bind()/listen() on golaunch's own thread. That thread must never be
// able to do what the service itself could not: a privileged port is granted exactly when the
// kernel would grant it to the service, which is decided in the user namespace that owns the
// socket's network namespace (not the service's own user namespace). End to end, as root, with
// the real golaunch and the binder fixture.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>
#include <unistd.h>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

bool can_run_as_nobody_in_a_user_namespace(std::string& why) {
    if (::geteuid() != 0) {
        why = "needs root to start the service as nobody";
        return false;
    }
    for (const char* tool : {"/usr/bin/setpriv", "/usr/bin/unshare"}) {
        if (::access(tool, X_OK) != 0) {
            why = std::string(tool) + " (util-linux) is not installed";
            return false;
        }
    }
    if (std::system("/usr/bin/setpriv --reuid=65534 --regid=65534 --clear-groups "
                    "/usr/bin/unshare -U -r -n /bin/true >/dev/null 2>&1") != 0) {
        why = "this kernel lets no unprivileged user create a user namespace";
        return false;
    }
    return true;
}

std::string binder_service(const std::string& command_array, std::uint16_t declared) {
    return "version = 1\nname = \"t\"\n[services.svc]\ncmd = [" + command_array +
           "]\nports = { http = " + std::to_string(declared) +
           " }\nstartup_timeout = \"20s\"\nrestart = \"no\"\n";
}

std::string nobody_prefix() {
    return "\"/usr/bin/setpriv\", \"--reuid=65534\", \"--regid=65534\", \"--clear-groups\", ";
}

bool notify_in_use(GolaunchRun& run) {
    const auto event = run.wait_for_event("monitor", "", 10s);
    return event && (*event)["kind"] == "notify";
}

// The reproduction: nobody's own user namespace gives it every capability there, but
// the socket lives in the host's network namespace, owned by the initial user namespace, where
// nobody has none. Run directly, the bind fails with EACCES; under golaunch it must too.
TEST(BindPrivilege, NobodyInItsOwnUserNamespaceCannotBindAPrivilegedHostPort) {
    std::string why;
    if (!can_run_as_nobody_in_a_user_namespace(why)) {
        GTEST_SKIP() << why;
    }
    const std::uint16_t port = free_privileged_port();
    if (port == 0) {
        GTEST_SKIP() << "no free port below 1024";
    }
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    TempDir dir;
    const auto manifest = dir.write(
        "app.toml", binder_service(nobody_prefix() + "\"/usr/bin/unshare\", \"-U\", \"-r\", " +
                                       toml_quoted(fixture("binder")) +
                                       ", \"-exit-on-error\", \"-addr\", \"" + addr + "\"",
                                   port));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--ignore-preflight"});
    const bool notify = notify_in_use(run);
    const auto status = run.wait_for_exit(20s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(run.output().find("listen " + addr + " ok"), std::string::npos)
        << "nobody got a privileged port of the host through golaunch: " << run.output();
    EXPECT_NE(run.output().find("listen " + addr + " error"), std::string::npos) << run.output();
    EXPECT_NE(run.output().find("permission denied"), std::string::npos) << run.output();
    EXPECT_EQ(exit_code_of(*status), 1) << run.output();
    if (!notify) {
        GTEST_SKIP() << "seccomp user notification unavailable (the kernel decided alone)";
    }
}

// The other side of the same rule: a service in a user namespace of its own that also owns a
// new network namespace holds CAP_NET_BIND_SERVICE there, so port P below 1024 in *its*
// network namespace succeeds, as it does without golaunch.
TEST(BindPrivilege, ServiceBindsAPrivilegedPortInTheNetworkNamespaceItsUserNamespaceOwns) {
    std::string why;
    if (!can_run_as_nobody_in_a_user_namespace(why)) {
        GTEST_SKIP() << why;
    }
    if (::access("/usr/sbin/ip", X_OK) != 0 && ::access("/sbin/ip", X_OK) != 0) {
        GTEST_SKIP() << "ip (iproute2) is not installed";
    }
    const std::uint16_t port = 82; // inside a network namespace of the service's own: always free
    const std::string addr = "127.0.0.1:" + std::to_string(port);
    const std::string script =
        "ip link set lo up && exec '" + fixture("binder") + "' -exit-on-error -addr " + addr;
    TempDir dir;
    const auto manifest = dir.write(
        "app.toml", binder_service(nobody_prefix() +
                                       "\"/usr/bin/unshare\", \"-U\", \"-r\", \"-n\", "
                                       "\"/bin/sh\", \"-c\", " +
                                       toml_quoted(script),
                                   free_privileged_port() == 0 ? 1023 : free_privileged_port()));
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--ignore-preflight"});
    const bool notify = notify_in_use(run);
    const bool listened = run.wait_for_output("listen " + addr + " ok", 15s);
    run.signal(SIGINT);
    ASSERT_TRUE(run.wait_for_exit(15s)) << run.output();
    EXPECT_TRUE(listened) << "its own namespace's privileged port is its to take: " << run.output();
    EXPECT_EQ(run.output().find("permission denied"), std::string::npos) << run.output();
    if (!notify) {
        GTEST_SKIP() << "seccomp user notification unavailable (the kernel decided alone)";
    }
    const auto events = run.events();
    bool seen = false;
    for (const auto& event : events) {
        seen = seen || (event.value("event", "") == "bind" && event.value("call", "") == "listen" &&
                        event.value("port", 0) == port && event.value("errno", "") == "OK");
    }
    EXPECT_TRUE(seen) << "the monitor saw the successful listen: " << run.output();
}

} // namespace
} // namespace golaunch::test
