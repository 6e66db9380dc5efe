// `golaunch check` end to end on an env_file that is /dev/zero or a FIFO, and a hosts file that
// is a FIFO: it answers at once (no 1 GB buffer, no blocked read), with the located message.
#include "support/golaunch_run.hpp"
#include "util/hostile_files.hpp"

#include <gtest/gtest.h>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

const std::string k_env_hint = "hint: env_file must name a regular file of KEY=VALUE lines, at "
                               "most 16 MiB, relative to the manifest\n";

// Exit code of `golaunch check --no-network ARGS...`, which must finish (well under 1 s in a
// plain build; 60 s leaves room for ASan and a busy machine). That nothing blocked on a FIFO is
// shown by its rescue, which was never needed, not by the time.
int check(GolaunchRun& run) {
    const auto status = run.wait_for_exit(60s);
    EXPECT_TRUE(status) << "golaunch check still runs: " << run.output();
    if (!status) {
        run.signal(SIGKILL);
        run.wait_for_exit(5s);
        return -1;
    }
    return exit_code_of(*status);
}

TEST(CliHostileFiles, CheckWithEnvFileDevZeroFailsAtOnceLocated) {
    TempDir dir;
    const auto manifest = dir.write(
        "app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\nenv_file = \"/dev/zero\"\n");
    GolaunchRun run(dir, {"check", manifest.string(), "--no-network"});
    EXPECT_EQ(check(run), 2);
    EXPECT_EQ(run.output(), manifest.string() +
                                ":4:1: error: cannot read env_file '/dev/zero' of service 'api': "
                                "not a regular file (a character device)\n"
                                "    4 | env_file = \"/dev/zero\"\n"
                                "      | ^\n" +
                                k_env_hint);
}

TEST(CliHostileFiles, CheckWithEnvFileFifoFailsAtOnceLocated) {
    TempDir dir;
    const auto fifo = make_fifo(dir, "pipe.env");
    const FifoRescue rescue(fifo);
    const auto manifest = dir.write(
        "app.toml", "version = 1\n[services.api]\ncmd = [\"true\"]\nenv_file = \"pipe.env\"\n");
    GolaunchRun run(dir, {"check", manifest.string(), "--no-network"});
    EXPECT_EQ(check(run), 2);
    EXPECT_EQ(run.output(), manifest.string() + ":4:1: error: cannot read env_file 'pipe.env' (" +
                                fifo.string() +
                                ") of service 'api': not a regular file (a FIFO)\n"
                                "    4 | env_file = \"pipe.env\"\n"
                                "      | ^\n" +
                                k_env_hint);
    EXPECT_FALSE(rescue.rescued()) << "something blocked opening the FIFO";
}

TEST(CliHostileFiles, CheckWithAFifoAsHostsFileWarnsAndFinishes) {
    TempDir dir;
    const auto fifo = make_fifo(dir, "hosts");
    const FifoRescue rescue(fifo);
    const auto manifest =
        dir.write("app.toml", "version = 1\n[hosts]\n\"api.shop.test\" = \"127.0.0.1\"\n"
                              "[services.api]\ncmd = [\"true\"]\n");
    GolaunchRun run(
        dir, {"check", manifest.string(), "--no-network", "--hosts-file", fifo.string(), "--json"});
    check(run);
    EXPECT_NE(run.output().find("hosts-file-unreadable"), std::string::npos) << run.output();
    EXPECT_NE(run.output().find("not a regular file (a FIFO)"), std::string::npos) << run.output();
    EXPECT_FALSE(rescue.rescued()) << "something blocked opening the FIFO";
}

} // namespace
} // namespace golaunch::test
