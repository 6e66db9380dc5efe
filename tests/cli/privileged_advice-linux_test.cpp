// The privileged-port advice as a user without CAP_NET_BIND_SERVICE gets it (golaunch run as
// nobody through setpriv): `golaunch check` (privileged-port) and the EACCES diagnosis of
// `golaunch run` give the same answer for the same service, one per kind, and the setcap they
// print for a `cmd` service works as printed.
#include "cli/cli_helpers.hpp"

#include "platform/net_config.hpp"

#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

constexpr const char* k_nobody = "65534";

// A project directory nobody owns, a copy of the binder fixture it may run (a copy: setcap
// must never touch the shared fixture), and a privileged port that is free.
struct NobodyProject {
    TempDir dir;
    std::filesystem::path project;
    std::filesystem::path binder;
    std::filesystem::path hosts;
    std::uint16_t port = 0;
};

// Empty when the test can run here, else why not.
std::string nobody_setup(NobodyProject& setup) {
    if (::geteuid() != 0 || ::access("/usr/bin/setpriv", X_OK) != 0 ||
        ::access("/usr/sbin/setcap", X_OK) != 0) {
        return "needs root, setpriv and setcap";
    }
    setup.port = free_privileged_port();
    const auto start = read_net_config().unprivileged_port_start;
    if (setup.port == 0 || !start || setup.port >= *start) {
        return "no free port below net.ipv4.ip_unprivileged_port_start";
    }
    namespace fs = std::filesystem;
    fs::permissions(setup.dir.path(), fs::perms::owner_all | fs::perms::group_read |
                                          fs::perms::group_exec | fs::perms::others_read |
                                          fs::perms::others_exec);
    setup.project = setup.dir.path() / "proj";
    fs::create_directories(setup.project);
    if (::chown(setup.project.c_str(), 65534, 65534) != 0) {
        return "cannot chown the project directory to nobody";
    }
    setup.binder = setup.dir.path() / "binder";
    fs::copy_file(fixture("binder"), setup.binder);
    setup.hosts = setup.dir.write("hosts", "127.0.0.1 localhost\n::1 localhost\n");
    return "";
}

// golaunch `args` as user nobody; returns the exit code (-1: killed or timed out).
int golaunch_as_nobody(const NobodyProject& setup, const std::vector<std::string>& args,
                       std::string& output) {
    std::vector<std::string> argv{"/usr/bin/setpriv", std::string("--reuid=") + k_nobody,
                                  std::string("--regid=") + k_nobody, "--clear-groups",
                                  golaunch_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    static int counter = 0;
    const auto log = setup.dir.path() / ("nobody-" + std::to_string(++counter) + ".log");
    ChildProcess child(argv, log.string(), {"NO_COLOR=1"});
    const auto status = child.wait_for(30s);
    output = read_file(log);
    return status ? exit_code_of(*status) : -1;
}

// The `fix: ...` line that follows `after` in `output` ("" when none).
std::string fix_line_after(const std::string& output, const std::string& after) {
    const auto at = output.find(after);
    if (at == std::string::npos) {
        return "";
    }
    const auto start = output.find("fix: ", at);
    if (start == std::string::npos) {
        return "";
    }
    return output.substr(start, output.find('\n', start) - start);
}

std::string privileged_manifest_text(const std::string& service_lines, std::uint16_t port) {
    return "version = 1\nname = \"priv\"\n[defaults]\nrestart = \"no\"\n[services.web]\n" +
           service_lines + "ports = { http = " + std::to_string(port) + " }\n";
}

std::string nobody_binder_args(const NobodyProject& setup) {
    return "\"-exit-on-error\", \"-addr\", \"127.0.0.1:" + std::to_string(setup.port) + "\"";
}

// check's remedy and run's diagnosis for the manifest, as nobody.
struct TwoAnswers {
    std::string check;
    std::string run;
    std::string run_output;
};

TwoAnswers both_answers(const NobodyProject& setup, const std::filesystem::path& manifest) {
    TwoAnswers answers;
    std::string output;
    EXPECT_EQ(golaunch_as_nobody(setup,
                                 {"check", manifest.string(), "--no-network", "--hosts-file",
                                  setup.hosts.string()},
                                 output),
              3)
        << output;
    answers.check = fix_line_after(output, "[privileged-port]");
    EXPECT_NE(answers.check, "") << output;
    EXPECT_EQ(golaunch_as_nobody(setup,
                                 {"run", manifest.string(), "--no-network", "--hosts-file",
                                  setup.hosts.string(), "--ignore-preflight"},
                                 answers.run_output),
              1)
        << answers.run_output;
    answers.run = fix_line_after(answers.run_output, "failed with EACCES");
    return answers;
}

bool monitor_fell_back(const std::string& run_output) {
    return run_output.find("failed with EACCES") == std::string::npos &&
           run_output.find("falling back") != std::string::npos;
}

TEST(PrivilegedAdvice, CmdServiceCheckAndRunAgreeAndThePrintedSetcapWorks) {
    NobodyProject setup;
    if (const auto why = nobody_setup(setup); !why.empty()) {
        GTEST_SKIP() << why;
    }
    const auto manifest = setup.project / "app.toml";
    std::filesystem::copy_file(
        setup.dir.write("app.toml",
                        privileged_manifest_text("cmd = [" + toml_quoted(setup.binder.string()) +
                                                     ", " + nobody_binder_args(setup) + "]\n",
                                                 setup.port)),
        manifest);
    const auto answers = both_answers(setup, manifest);
    if (monitor_fell_back(answers.run_output)) {
        GTEST_SKIP() << "no bind monitor for nobody here: " << answers.run_output;
    }
    const std::string setcap = "sudo setcap cap_net_bind_service=+ep " + setup.binder.string();
    EXPECT_NE(answers.check.find("`" + setcap + "`"), std::string::npos) << answers.check;
    EXPECT_EQ(answers.check.find(".golaunch/bin"), std::string::npos) << answers.check;
    EXPECT_EQ(answers.check.find("ignore"), std::string::npos)
        << "no advice that then says it does not work: " << answers.check;
    EXPECT_EQ(answers.check.find("authbind"), std::string::npos) << answers.check;
    EXPECT_EQ(answers.run, answers.check) << answers.run_output;

    // Done as printed (by root here, hence without sudo), the same service then binds its port.
    std::string output;
    ASSERT_EQ(run_pasted(setup.dir, setcap.substr(std::string("sudo ").size()), output), 0)
        << output;
    EXPECT_EQ(golaunch_as_nobody(setup,
                                 {"check", manifest.string(), "--no-network", "--hosts-file",
                                  setup.hosts.string()},
                                 output),
              0)
        << "with the capability nothing is wrong: " << output;
    EXPECT_EQ(golaunch_as_nobody(setup,
                                 {"run", manifest.string(), "--no-network", "--hosts-file",
                                  setup.hosts.string(), "--stop-when-ready"},
                                 output),
              0)
        << output;
    EXPECT_NE(output.find("listen 127.0.0.1:" + std::to_string(setup.port) + " ok"),
              std::string::npos)
        << output;
}

TEST(PrivilegedAdvice, ShellServiceCheckAndRunAgreeThatFileCapabilitiesCannotHelp) {
    NobodyProject setup;
    if (const auto why = nobody_setup(setup); !why.empty()) {
        GTEST_SKIP() << why;
    }
    const auto manifest = setup.project / "app.toml";
    const std::string script = shell_quote(setup.binder.string()) +
                               " -exit-on-error -addr 127.0.0.1:" + std::to_string(setup.port);
    std::filesystem::copy_file(
        setup.dir.write("app.toml", privileged_manifest_text(
                                        "shell = " + toml_quoted(script) + "\n", setup.port)),
        manifest);
    const auto answers = both_answers(setup, manifest);
    if (monitor_fell_back(answers.run_output)) {
        GTEST_SKIP() << "no bind monitor for nobody here: " << answers.run_output;
    }
    EXPECT_EQ(answers.check.find("sudo setcap"), std::string::npos)
        << "no setcap that cannot work: " << answers.check;
    EXPECT_EQ(answers.check.find(".golaunch/bin"), std::string::npos) << answers.check;
    EXPECT_NE(answers.check.find("file capabilities cannot help"), std::string::npos)
        << answers.check;
    EXPECT_NE(answers.check.find("sudo sysctl -w net.ipv4.ip_unprivileged_port_start=" +
                                 std::to_string(setup.port)),
              std::string::npos)
        << answers.check;
    EXPECT_EQ(answers.run, answers.check) << answers.run_output;
}

} // namespace
} // namespace golaunch::test
