// run --watch end to end, on a Go module made here and built by the real go: an edit is served
// by a new instance, a syntax error leaves the old one serving with the compiler's lines in the
// log (and the fix rebuilds), and a change in a package only one of two services imports
// restarts only that one; test files and editors' temporary files change nothing.
#include "support/golaunch_run.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <thread>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

void write(const std::filesystem::path& path, const std::string& text) {
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

std::string message_go(const std::string& text) {
    return "package msg\n\nfunc Text() string { return \"" + text + "\" }\n";
}

// A server on -addr answering "<msg.Text()>\n" (api), or its own constant (worker).
std::string server_go(bool uses_msg) {
    return std::string("package main\n\nimport (\n\t\"flag\"\n\t\"fmt\"\n\t\"net/http\"\n") +
           (uses_msg ? "\n\t\"example.com/w/msg\"\n" : "") +
           ")\n\nfunc main() {\n\taddr := flag.String(\"addr\", \"\", \"\")\n\tflag.Parse()\n"
           "\thttp.HandleFunc(\"/\", func(w http.ResponseWriter, r *http.Request) {\n"
           "\t\tfmt.Fprintln(w, " +
           (uses_msg ? std::string("msg.Text()") : std::string("\"worker\"")) +
           ")\n\t})\n\tfmt.Println(\"listening on\", *addr)\n"
           "\tif err := http.ListenAndServe(*addr, nil); err != nil {\n\t\tpanic(err)\n\t}\n}\n";
}

class Watch : public testing::Test {
  protected:
    void SetUp() override {
        const auto ports = pick_free_ports(2);
        m_api = ports[0];
        m_worker = ports[1];
        const auto root = m_dir.path();
        write(root / "go.mod", "module example.com/w\n\ngo 1.19\n");
        write(root / "msg" / "msg.go", message_go("hello v1"));
        write(root / "cmd" / "api" / "main.go", server_go(true));
        write(root / "cmd" / "worker" / "main.go", server_go(false));
        m_manifest = m_dir.write("golaunch.toml",
                                 "version = 1\nname = \"w\"\n"
                                 "[services.api]\ngo = \"./cmd/api\"\nargs = [\"-addr\", "
                                 "\"127.0.0.1:${ports.api.http}\"]\nports = { http = " +
                                     std::to_string(m_api) +
                                     " }\n"
                                     "[services.worker]\ngo = \"./cmd/worker\"\nargs = [\"-addr\", "
                                     "\"127.0.0.1:${ports.worker.http}\"]\nports = { http = " +
                                     std::to_string(m_worker) + " }\n");
        m_run = std::make_unique<GolaunchRun>(
            m_dir, std::vector<std::string>{"run", m_manifest.string(), "--json", "--no-network",
                                            "--watch"});
        ASSERT_TRUE(m_run->wait_for_event("all_ready", "", 90s)) << m_run->output();
        ASSERT_EQ(http_get(m_api), "hello v1\n");
    }

    void TearDown() override {
        if (m_run) {
            m_run->signal(SIGINT);
            EXPECT_TRUE(m_run->wait_for_exit(20s)) << m_run->output();
        }
    }

    int count(const std::string& event, const std::string& service) const {
        int n = 0;
        for (const auto& e : m_run->events()) {
            n += e.value("event", "") == event && e.value("service", "") == service ? 1 : 0;
        }
        return n;
    }

    bool wait_count(const std::string& event, const std::string& service, int n,
                    std::chrono::milliseconds timeout) const {
        return eventually([&] { return count(event, service) >= n; }, timeout);
    }

    int ready_pid(const std::string& service) const {
        int pid = 0;
        for (const auto& e : m_run->events()) {
            if (e.value("event", "") == "ready" && e.value("service", "") == service) {
                pid = e["pid"].get<int>();
            }
        }
        return pid;
    }

    TempDir m_dir;
    std::filesystem::path m_manifest;
    std::uint16_t m_api = 0;
    std::uint16_t m_worker = 0;
    std::unique_ptr<GolaunchRun> m_run;
};

TEST_F(Watch, AnEditIsServedByANewInstance) {
    const int old_pid = ready_pid("api");
    write(m_dir.path() / "msg" / "msg.go", message_go("hello v2"));
    ASSERT_TRUE(wait_count("rebuilt", "api", 1, 60s)) << m_run->output();
    EXPECT_EQ(http_get(m_api), "hello v2\n");
    EXPECT_NE(ready_pid("api"), old_pid);
    EXPECT_FALSE(pid_running(old_pid));
    const auto rebuilt = m_run->wait_for_event("rebuilt", "api", 0ms);
    EXPECT_GT((*rebuilt)["build_ms"].get<long long>(), 0);
    EXPECT_GT((*rebuilt)["downtime_ms"].get<double>(), 0.0);
    EXPECT_EQ(count("rebuilding", "api"), 1) << "one save, one rebuild: " << m_run->output();
}

TEST_F(Watch, ASyntaxErrorKeepsTheOldInstanceServingAndTheFixRebuilds) {
    const int old_pid = ready_pid("api");
    write(m_dir.path() / "msg" / "msg.go", "package msg\n\nfunc Text() string { return \"x\"\n");
    ASSERT_TRUE(wait_count("rebuild_failed", "api", 1, 60s)) << m_run->output();
    // The compiler's lines come through the build's pipe, which nothing orders before the
    // build's exit: waited for.
    EXPECT_TRUE(m_run->wait_for_output("syntax error", 10s))
        << "the compiler's lines are in the log: " << m_run->output();
    EXPECT_TRUE(pid_running(old_pid));
    EXPECT_EQ(ready_pid("api"), old_pid);
    EXPECT_EQ(http_get(m_api), "hello v1\n");
    write(m_dir.path() / "msg" / "msg.go", message_go("hello v3"));
    ASSERT_TRUE(wait_count("rebuilt", "api", 1, 60s)) << m_run->output();
    EXPECT_EQ(http_get(m_api), "hello v3\n");
}

TEST_F(Watch, OnlyTheServiceThatImportsTheChangedPackageRestarts) {
    const int worker_pid = ready_pid("worker");
    // Not sources of the build: a test file and an editor's swap file.
    write(m_dir.path() / "msg" / "msg_test.go", "package msg\n");
    write(m_dir.path() / "msg" / ".msg.go.swp", "swap");
    std::this_thread::sleep_for(600ms); // several debounce periods
    EXPECT_EQ(count("rebuilding", "api"), 0) << m_run->output();
    write(m_dir.path() / "msg" / "msg.go", message_go("hello v4"));
    ASSERT_TRUE(wait_count("rebuilt", "api", 1, 60s)) << m_run->output();
    EXPECT_EQ(http_get(m_api), "hello v4\n");
    EXPECT_EQ(count("rebuilding", "worker"), 0) << m_run->output();
    EXPECT_EQ(ready_pid("worker"), worker_pid);
    EXPECT_EQ(http_get(m_worker), "worker\n");
    // The worker's own source restarts the worker.
    write(m_dir.path() / "cmd" / "worker" / "main.go", server_go(false) + "\n// touched\n");
    ASSERT_TRUE(wait_count("rebuilt", "worker", 1, 60s)) << m_run->output();
    EXPECT_NE(ready_pid("worker"), worker_pid);
}

// Ctrl-C while a rebuild runs: the `go build` (and the compiler and linker it runs) stop with
// golaunch; nothing writes .golaunch/bin/api.next afterwards.
TEST_F(Watch, CtrlCDuringARebuildLeavesNoBuildBehind) {
    // A change that takes the compiler a while: a large generated file.
    std::string big = "package msg\n\nvar table = []int{";
    for (int i = 0; i < 200000; ++i) {
        big += std::to_string(i) + ",";
    }
    write(m_dir.path() / "msg" / "big.go", big + "}\n");
    ASSERT_TRUE(wait_count("rebuilding", "api", 1, 30s)) << m_run->output();
    m_run->signal(SIGINT);
    ASSERT_TRUE(m_run->wait_for_exit(20s)) << m_run->output();
    m_run.reset();
    const std::string next = (m_dir.path() / ".golaunch" / "bin" / "api.next").string();
    // The build was sent SIGKILL; a process killed but not yet scheduled to die still shows its
    // command line, so the scan is repeated for a while (an escaped build stays for good).
    std::vector<std::string> left;
    const auto scan = [&] {
        left.clear();
        for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
            const std::string pid = entry.path().filename().string();
            if (pid.find_first_not_of("0123456789") != std::string::npos) {
                continue;
            }
            std::string cmdline = read_file(entry.path() / "cmdline");
            std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
            if (cmdline.find(next) != std::string::npos ||
                cmdline.find(m_dir.path().string() + "/msg") != std::string::npos) {
                left.push_back(pid + ": " + cmdline);
            }
        }
        return left.empty();
    };
    EXPECT_TRUE(eventually(scan, 10s)) << left.front();
}

// build_flags and build_env reach `go build`: a build tag picks a file, and GOFLAGS from
// build_env sets a variable through the linker. watch_dependents restarts the dependent after
// the rebuilt service (a new pid), which otherwise keeps running.
TEST(WatchOptions, BuildFlagsBuildEnvAndWatchDependents) {
    TempDir dir;
    const auto ports = pick_free_ports(2);
    const auto root = dir.path();
    write(root / "go.mod", "module example.com/w\n\ngo 1.19\n");
    write(root / "msg" / "msg.go", "//go:build !dev\n\npackage msg\n\nvar suffix string\n\n"
                                   "func Text() string { return \"plain\" + suffix }\n");
    write(root / "msg" / "dev.go", "//go:build dev\n\npackage msg\n\nvar suffix string\n\n"
                                   "func Text() string { return \"dev\" + suffix }\n");
    write(root / "cmd" / "api" / "main.go", server_go(true));
    write(root / "cmd" / "worker" / "main.go", server_go(false));
    const auto manifest = dir.write(
        "golaunch.toml",
        "version = 1\nname = \"w\"\n"
        "[services.api]\ngo = \"./cmd/api\"\nargs = [\"-addr\", \"127.0.0.1:${ports.api.http}\"]\n"
        "ports = { http = " +
            std::to_string(ports[0]) +
            " }\nbuild_flags = [\"-tags\", \"dev\"]\n"
            "build_env = { GOFLAGS = \"-ldflags=-X=example.com/w/msg.suffix=+env\" }\n"
            "watch = true\nwatch_dependents = true\nwatch_debounce = \"50ms\"\n"
            "[services.worker]\ngo = \"./cmd/worker\"\nargs = [\"-addr\", "
            "\"127.0.0.1:${ports.worker.http}\"]\nports = { http = " +
            std::to_string(ports[1]) + " }\ndepends_on = [\"api\"]\n");
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(run.wait_for_event("all_ready", "", 90s)) << run.output();
    EXPECT_EQ(http_get(ports[0]), "dev+env\n");
    const auto first_worker = (*run.wait_for_event("ready", "worker", 0ms))["pid"];
    write(root / "msg" / "dev.go", "//go:build dev\n\npackage msg\n\nvar suffix string\n\n"
                                   "func Text() string { return \"dev2\" + suffix }\n");
    ASSERT_TRUE(eventually(
        [&] {
            int readies = 0;
            for (const auto& e : run.events()) {
                readies += e.value("event", "") == "ready" && e.value("service", "") == "worker";
            }
            return readies >= 2;
        },
        60s))
        << run.output();
    EXPECT_EQ(http_get(ports[0]), "dev2+env\n");
    int worker_pid = 0;
    for (const auto& e : run.events()) {
        if (e.value("event", "") == "ready" && e.value("service", "") == "worker") {
            worker_pid = e["pid"].get<int>();
        }
    }
    EXPECT_NE(worker_pid, first_worker.get<int>()) << "watch_dependents restarted it";
    run.signal(SIGINT);
    EXPECT_TRUE(run.wait_for_exit(20s));
}

} // namespace
} // namespace golaunch::test
