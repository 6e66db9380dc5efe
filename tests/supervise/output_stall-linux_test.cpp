// End to end: the real golaunch binary with its stdout on a pipe. A reader that never reads
// must not stop Ctrl-C from working; a reader that goes away (`golaunch run | head -3`) must
// stop the services cleanly, not kill golaunch with SIGPIPE; and "all services stopped" is the
// last line golaunch writes.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

// golaunch run MANIFEST with stdout on a pipe whose read end the test holds (stderr to a file).
class PipedGolaunch {
  public:
    PipedGolaunch(const TempDir& dir, const std::filesystem::path& manifest)
        : m_stderr((dir.path() / "stderr.txt").string()) {
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
        const std::string binary = golaunch_binary();
        const std::string manifest_text = manifest.string();
        m_pid = ::fork();
        if (m_pid == 0) {
            ::setpgid(0, 0);
            ::dup2(fds[1], 1);
            const int err = ::open(m_stderr.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(err, 2);
            const int in = ::open("/dev/null", O_RDONLY);
            ::dup2(in, 0);
            ::execl(binary.c_str(), binary.c_str(), "run", "--no-network", manifest_text.c_str(),
                    static_cast<char*>(nullptr));
            ::_exit(127);
        }
        ::close(fds[1]);
        m_read = fds[0];
    }
    ~PipedGolaunch() {
        close_reader();
        if (m_pid > 0 && !m_status) {
            ::kill(m_pid, SIGKILL);
            ::waitpid(m_pid, nullptr, 0);
        }
    }
    // Reads `count` lines (one byte at a time: nothing beyond them is consumed).
    std::string read_lines(int count) {
        std::string out;
        char c = 0;
        while (count > 0 && ::read(m_read, &c, 1) == 1) {
            out.push_back(c);
            count -= c == '\n' ? 1 : 0;
        }
        return out;
    }
    void close_reader() {
        if (m_read >= 0) {
            ::close(m_read);
            m_read = -1;
        }
    }
    void signal(int signo) const { ::kill(m_pid, signo); }
    // The wait status, if golaunch ended within `timeout`.
    std::optional<int> wait_for(std::chrono::milliseconds timeout) {
        eventually(
            [&] {
                int status = 0;
                if (!m_status && ::waitpid(m_pid, &status, WNOHANG) == m_pid) {
                    m_status = status;
                }
                return m_status.has_value();
            },
            timeout);
        return m_status;
    }
    std::string stderr_text() const { return read_file(m_stderr); }

  private:
    std::string m_stderr;
    pid_t m_pid = -1;
    int m_read = -1;
    std::optional<int> m_status;
};

// One service printing as fast as it can; it writes its pid to `pidfile` first.
std::filesystem::path chatty_manifest(const TempDir& dir, const std::filesystem::path& pidfile) {
    return dir.write("app.toml",
                     "version = 1\nname = \"t\"\n[services.chatty]\nshell = \"echo $$$$ > " +
                         pidfile.string() +
                         "; exec yes 'a service line of typical length, say sixty "
                         "bytes'\"\nstop_grace = \"5s\"\n");
}

TEST(OutputStall, CtrlCStopsTheServicesWhileNobodyReadsStdout) {
    TempDir dir;
    const auto pidfile = dir.path() / "chatty.pid";
    PipedGolaunch run(dir, chatty_manifest(dir, pidfile));
    const pid_t service = wait_for_pidfile(pidfile, 10s);
    ASSERT_GT(service, 0) << run.stderr_text();
    ::usleep(500000); // the pipe is long full: the old golaunch sits in write() by now
    run.signal(SIGINT);
    const auto status = run.wait_for(8s);
    ASSERT_TRUE(status) << "golaunch ignored Ctrl-C while its stdout was stalled";
    EXPECT_EQ(exit_code_of(*status), 130) << run.stderr_text();
    EXPECT_TRUE(eventually([&] { return !pid_running(service); }, 2s));
}

TEST(OutputStall, ReaderGoneStopsTheServicesCleanlyWithoutSigpipe) {
    TempDir dir;
    const auto pidfile = dir.path() / "chatty.pid";
    PipedGolaunch run(dir, chatty_manifest(dir, pidfile));
    const pid_t service = wait_for_pidfile(pidfile, 10s);
    ASSERT_GT(service, 0) << run.stderr_text();
    const auto head = run.read_lines(3); // `| head -3`
    EXPECT_EQ(std::count(head.begin(), head.end(), '\n'), 3);
    run.close_reader();
    const auto status = run.wait_for(8s);
    ASSERT_TRUE(status) << "golaunch kept running after its reader went away";
    ASSERT_TRUE(WIFEXITED(*status)) << "killed by signal " << WTERMSIG(*status);
    EXPECT_EQ(WEXITSTATUS(*status), 141) << "128 + SIGPIPE, after a clean stop\n"
                                         << run.stderr_text();
    EXPECT_TRUE(eventually([&] { return !pid_running(service); }, 2s));
}

TEST(OutputStall, AllServicesStoppedIsTheLastLine) {
    TempDir dir;
    const auto pidfile = dir.path() / "chatty.pid";
    GolaunchRun run(dir, {"run", "--no-network", chatty_manifest(dir, pidfile).string()});
    ASSERT_GT(wait_for_pidfile(pidfile, 10s), 0) << run.output();
    ::usleep(300000);
    run.signal(SIGINT);
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status);
    const auto out = run.output();
    ASSERT_FALSE(out.empty());
    const auto last_start = out.rfind('\n', out.size() - 2);
    EXPECT_EQ(out.substr(last_start + 1), "golaunch | all services stopped\n");
}

} // namespace
} // namespace golaunch::test
