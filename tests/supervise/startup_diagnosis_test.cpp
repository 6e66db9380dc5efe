// Startup-timeout diagnosis: the sentences from hand-made facts (unit), and end to end with
// real Go fixtures stuck the way real services get stuck.
#include "supervise/startup_diagnosis.hpp"

#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include <fstream>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

SocketEntry tcp(SocketState state, const std::string& local, std::uint16_t local_port,
                const std::string& remote = "0.0.0.0", std::uint16_t remote_port = 0) {
    SocketEntry entry;
    entry.protocol = Protocol::tcp;
    entry.state = state;
    entry.local_address = local;
    entry.local_port = local_port;
    entry.remote_address = remote;
    entry.remote_port = remote_port;
    entry.inode = 1000 + local_port;
    return entry;
}

ProcessActivity go_process(pid_t pid, std::vector<SocketEntry> sockets) {
    ProcessActivity process;
    process.pid = pid;
    process.name = "api";
    process.sockets = std::move(sockets);
    for (int i = 0; i < 5; ++i) {
        ThreadActivity thread;
        thread.tid = pid + i;
        thread.state = 'S';
        thread.syscall = i == 0 ? SYS_epoll_pwait : SYS_futex;
        process.threads.push_back(thread);
    }
    return process;
}

std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& line : lines) {
        out += line + "\n";
    }
    return out;
}

TEST(StartupDiagnosisTest, NamesAConnectionToADependencyPortThatIsNotListening) {
    DiagnosisFacts facts;
    facts.declared_ports = {8080};
    facts.run_ports[5432] = PortOwnerName{"db", "pg", false};
    facts.processes = {
        go_process(4242, {tcp(SocketState::syn_sent, "127.0.0.1", 40000, "127.0.0.1", 5432)})};
    const auto text = joined(diagnose_startup(facts));
    EXPECT_THAT(text, HasSubstr("pid 4242 (api): connecting to 127.0.0.1:5432 (ports.db.pg of "
                                "service db, not ready, not listening): no answer to the "
                                "connection request yet"));
    EXPECT_THAT(text, HasSubstr("no listening socket yet in its 1 process"));
    EXPECT_THAT(text, HasSubstr("5 threads: futex x4, epoll_pwait x1 (Go-style runtime"));
}

TEST(StartupDiagnosisTest, NamesAWaitForADnsAnswer) {
    DiagnosisFacts facts;
    facts.declared_ports = {8080};
    SocketEntry udp;
    udp.protocol = Protocol::udp;
    udp.state = SocketState::established;
    udp.local_address = "10.0.0.7";
    udp.local_port = 41000;
    udp.remote_address = "10.0.0.53";
    udp.remote_port = 53;
    facts.processes = {go_process(7, {udp})};
    EXPECT_THAT(joined(diagnose_startup(facts)),
                HasSubstr("pid 7 (api): waiting for a DNS answer from 10.0.0.53:53 (UDP)\n"));
}

TEST(StartupDiagnosisTest, NamesAListenerOnAnUndeclaredPort) {
    DiagnosisFacts facts;
    facts.declared_ports = {8080};
    facts.processes = {go_process(7, {tcp(SocketState::listen, "127.0.0.1", 9999)})};
    const auto text = joined(diagnose_startup(facts));
    EXPECT_THAT(text, HasSubstr("pid 7 (api): listening on 127.0.0.1:9999, not the declared 8080"));
    EXPECT_EQ(text.find("no listening socket"), std::string::npos);
}

TEST(StartupDiagnosisTest, SingleThreadBlockedInASyscallOnASocket) {
    DiagnosisFacts facts;
    facts.declared_ports = {8080};
    facts.run_ports[6379] = PortOwnerName{"cache", "redis", true};
    facts.tcp_listening = {6379};
    ProcessActivity process;
    process.pid = 11;
    process.name = "worker";
    process.sockets = {tcp(SocketState::established, "127.0.0.1", 50000, "127.0.0.1", 6379)};
    ThreadActivity thread;
    thread.tid = 11;
    thread.state = 'S';
    thread.syscall = SYS_read;
    thread.fd_socket = process.sockets[0].inode;
    thread.wchan = "wait_woken";
    process.threads = {thread};
    facts.processes = {process};
    const auto text = joined(diagnose_startup(facts));
    EXPECT_THAT(text, HasSubstr("pid 11 (worker): connected to 127.0.0.1:6379 (ports.cache.redis "
                                "of service cache, listening)"));
    EXPECT_THAT(text, HasSubstr("thread 11 blocked in read() on its socket to 127.0.0.1:6379"));
    EXPECT_THAT(text, HasSubstr("pid 11 (worker): blocked in read (waiting for data), kernel "
                                "wait wait_woken"));
}

TEST(StartupDiagnosisTest, NothingToSayWithoutProcesses) {
    EXPECT_TRUE(diagnose_startup(DiagnosisFacts{}).empty());
    EXPECT_EQ(describe_wait("clock_nanosleep"), "sleeping");
    EXPECT_EQ(describe_wait("vfork"), "waiting for the child it started to run its program");
    EXPECT_EQ(describe_wait("no_such_call"), "");
}

} // namespace
} // namespace golaunch

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

// A loopback listener that never accepts, its one-slot accept queue already full, so every
// further connect stays in SYN-SENT: a database that hangs.
class StuckListener {
  public:
    StuckListener() {
        m_listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ::bind(m_listener, reinterpret_cast<sockaddr*>(&address), sizeof address);
        ::listen(m_listener, 0);
        socklen_t length = sizeof address;
        ::getsockname(m_listener, reinterpret_cast<sockaddr*>(&address), &length);
        m_port = ntohs(address.sin_port);
        m_filler = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        m_connected =
            ::connect(m_filler, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    }
    ~StuckListener() {
        ::close(m_filler);
        ::close(m_listener);
    }
    std::uint16_t port() const { return m_port; }
    bool ok() const { return m_connected && m_port != 0; }

  private:
    int m_listener = -1;
    int m_filler = -1;
    std::uint16_t m_port = 0;
    bool m_connected = false;
};

std::string diagnosis_text(const nlohmann::json& timeout_event) {
    std::string out;
    for (const auto& line : timeout_event["diagnosis"]) {
        out += line.get<std::string>() + "\n";
    }
    return out;
}

TEST(StartupDiagnosisE2E, DialToAListenerThatNeverAcceptsIsNamedThenRestartedPerPolicy) {
    StuckListener stuck;
    ASSERT_TRUE(stuck.ok());
    TempDir dir;
    const auto port = pick_free_port();
    // Through a shell that stays the parent: the diagnosis covers the whole process tree.
    const auto manifest = dir.write(
        "app.toml",
        "version = 1\n[services.api]\nshell = " +
            toml_quoted(fixture("dialer") + " -tcp 127.0.0.1:" + std::to_string(stuck.port()) +
                        " -addr 127.0.0.1:" + std::to_string(port) + "; echo never") +
            "\nports = { http = " + std::to_string(port) +
            " }\nstartup_timeout = \"3s\"\nstop_grace = \"500ms\"\n"
            "max_restarts = 1\nbackoff = { initial = \"100ms\", max = \"100ms\" }\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json"});
    // The timeouts leave time for the shell and the dialer to get to their connect() on a
    // loaded machine: what the diagnosis names must be there when it is taken.
    const auto status = run.wait_for_exit(60s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 4) << "gave up after startup timeouts\n" << run.output();
    const auto timeout = run.wait_for_event("timeout", "api", 0ms);
    ASSERT_TRUE(timeout) << run.output();
    const auto text = diagnosis_text(*timeout);
    EXPECT_THAT(text, ::testing::HasSubstr(
                          "(dialer): connecting to 127.0.0.1:" + std::to_string(stuck.port()) +
                          " (a port no service of this run declares, "
                          "listening): no answer to the connection request yet (the "
                          "listener's accept queue is full: it does not "
                          "accept)"))
        << text;
    EXPECT_THAT(text, ::testing::HasSubstr("no listening socket yet in its 2 processes")) << text;
    EXPECT_THAT(text, ::testing::HasSubstr("(sh): blocked in wait4 (waiting for a child process)"))
        << text;
    EXPECT_THAT((*timeout)["last_lines"].dump(), ::testing::HasSubstr("dialer: connecting to"));

    const auto restarting = run.wait_for_event("restarting", "api", 0ms);
    ASSERT_TRUE(restarting) << run.output();
    EXPECT_EQ((*restarting)["reason"], "not ready after 3.0s (startup_timeout)");
    const auto gave_up = run.wait_for_event("gave_up", "api", 0ms);
    ASSERT_TRUE(gave_up) << run.output();
    EXPECT_EQ((*gave_up)["exit_code"], 4);
    int timeouts = 0;
    for (const auto& event : run.events()) {
        timeouts += event.value("event", "") == "timeout";
    }
    EXPECT_EQ(timeouts, 2) << "timed out, restarted once, timed out again";
}

TEST(StartupDiagnosisE2E, ListenerOnAnUndeclaredPortIsNamed) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto manifest = dir.write(
        "app.toml", "version = 1\n[services.web]\ncmd = [" + toml_quoted(fixture("httpserver")) +
                        ", \"-addr\", \"127.0.0.1:" + std::to_string(ports[1]) +
                        "\"]\nports = { http = " + std::to_string(ports[0]) +
                        " }\nstartup_timeout = \"3s\"\nrestart = \"no\"\n");
    GolaunchRun run(dir, {"run", manifest.string()});
    const auto status = run.wait_for_exit(60s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 4) << run.output();
    EXPECT_NE(run.output().find("listening on 127.0.0.1:" + std::to_string(ports[1]) +
                                ", not the declared " + std::to_string(ports[0])),
              std::string::npos)
        << run.output();
    EXPECT_NE(run.output().find("not restarted (restart = \"no\")"), std::string::npos)
        << run.output();
}

// A silent "DNS server" on 127.0.0.1:53 of a network namespace this test creates, and golaunch
// running in it: the service's question to it is never answered. Both run under `timeout`,
// so nothing outlives the test even if it fails half-way. (Port 18080 is inside that private
// namespace, where nothing else runs.)
TEST(StartupDiagnosisE2E, WaitForASilentDnsServerIsNamed) {
    if (::geteuid() != 0 || ::access("/usr/bin/unshare", X_OK) != 0 ||
        ::access("/usr/sbin/ip", X_OK) != 0) {
        GTEST_SKIP() << "needs root, unshare and ip to make a network namespace";
    }
    TempDir dir;
    const auto pidfile = dir.path() / "dns.pid";
    const auto manifest = dir.write(
        "app.toml", "version = 1\n[services.api]\ncmd = [" + toml_quoted(fixture("dialer")) +
                        ", \"-dns\", \"127.0.0.1:53\", \"-name\", \"db.shop.test\", \"-addr\", "
                        "\"127.0.0.1:18080\"]\nports = { http = 18080 }\n"
                        "startup_timeout = \"3s\"\nrestart = \"no\"\n");
    const std::string script =
        "ip link set lo up || exit 90; timeout -s KILL 90 " + fixture("dialer") +
        " -silent-udp 127.0.0.1:53 -pidfile " + pidfile.string() + " & i=0; while [ ! -e " +
        pidfile.string() + " ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done; " +
        "timeout -s KILL 60 " + golaunch_binary() + " run " + manifest.string() +
        " --json --no-network; code=$?; kill $(cat " + pidfile.string() + "); exit $code";
    const auto output = dir.path() / "out.log";
    ChildProcess child({"unshare", "-n", "sh", "-c", script}, output.string(), {"NO_COLOR=1"});
    const auto status = child.wait_for(80s);
    ASSERT_TRUE(status) << read_file(output);
    ASSERT_NE(exit_code_of(*status), 90) << "cannot bring lo up in the namespace";
    EXPECT_EQ(exit_code_of(*status), 4) << read_file(output);
    EXPECT_NE(read_file(output).find("waiting for a DNS answer from 127.0.0.1:53 (UDP)"),
              std::string::npos)
        << read_file(output);
}

} // namespace
} // namespace golaunch::test
