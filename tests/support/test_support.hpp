// Helpers shared by the tests: temp dirs, free loopback ports, fixture paths, child processes.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace golaunch::test {

// A fresh directory under $TMPDIR, removed with everything in it at scope exit.
class TempDir {
  public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path write(const std::string& name, const std::string& content) const;

  private:
    std::filesystem::path m_path;
};

// A port the kernel just handed out on 127.0.0.1 and that the socket table shows unused on
// every address family. Never a fixed, popular port.
std::uint16_t pick_free_port();

// `count` distinct ports, each as pick_free_port() gives them.
std::vector<std::uint16_t> pick_free_ports(std::size_t count);

// A TCP listener this test holds on 127.0.0.1:port (port 0: one the kernel picks), or on
// 0.0.0.0 or ::1: a plain bind without SO_REUSEADDR, then listen; closed at scope exit. ok()
// is false when bind or listen failed (the port is taken, or privileged and we may not).
class HeldListener {
  public:
    enum class Address { loopback, any, loopback6 };
    explicit HeldListener(std::uint16_t port, Address address = Address::loopback);
    ~HeldListener();
    HeldListener(const HeldListener&) = delete;
    HeldListener& operator=(const HeldListener&) = delete;

    bool ok() const { return m_ok; }
    std::uint16_t port() const { return m_port; } // the port bound (0 unless ok())
    int fd() const { return m_fd; }
    void close(); // let go of the port before scope exit

  private:
    int m_fd = -1;
    std::uint16_t m_port = 0;
    bool m_ok = false;
};

// A free port below 1024 (tried from 1000 down to 601: bindable on 127.0.0.1 and unused in
// the socket table, so never a popular one in use), 0 if none or when we may not bind there.
std::uint16_t free_privileged_port();

// A TOML basic string holding `text` (paths in test manifests).
std::string toml_quoted(const std::string& text);

// Path of a Go fixture built by tests/CMakeLists.txt (e.g. "httpserver").
std::string fixture(const std::string& name);

// Path of the golaunch binary under test.
std::string golaunch_binary();

// tests/tools, where `.ci/install-deps --all` runs `npm ci`: the Kubernetes validator and the
// dashboard's browser driver.
std::filesystem::path test_tools();

// A child process this test started (fork+exec, own process group). The destructor kills
// and reaps it if still running: tests never leave anything behind.
class ChildProcess {
  public:
    ChildProcess(const std::vector<std::string>& argv, const std::string& output_file = "",
                 const std::vector<std::string>& extra_env = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return m_pid; }
    void signal(int signo) const;
    // Waits up to `timeout` for exit; returns the wait status, nullopt on timeout.
    std::optional<int> wait_for(std::chrono::milliseconds timeout);
    bool running() const { return m_running; }

  private:
    pid_t m_pid = -1;
    bool m_running = false;
};

// The httpserver fixture on 127.0.0.1:port, started by the test; `pid` is what it wrote to its
// pidfile once listening (0 if it never did within 10 s).
struct FixtureServer {
    explicit FixtureServer(const std::vector<std::string>& extra_env = {},
                           const std::string& name = "holder");
    TempDir dir;
    std::uint16_t port;
    std::unique_ptr<ChildProcess> child;
    pid_t pid = 0;
};

// Polls `predicate` every 5 ms until true or `timeout` passes.
template <typename Predicate>
bool eventually(Predicate predicate, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
        if (predicate()) {
            return true;
        }
        ::usleep(5000);
    }
    return predicate();
}

// A [services.NAME] table running the httpserver fixture on `port` (injected as $PORT),
// answering "hello from NAME"; `args` are more TOML array items (each already quoted, each
// after ", "), `rest` more keys, one a line.
inline std::string http_service(const std::string& name, std::uint16_t port,
                                const std::string& args = "", const std::string& rest = "") {
    return "[services." + name + "]\ncmd = [" + toml_quoted(fixture("httpserver")) +
           ", \"-name\", \"" + name + "\"" + args + "]\nports = { http = " + std::to_string(port) +
           " }\n" + rest;
}

// ", \"-flag\", \"<path>\"" for an http_service argument.
inline std::string path_arg(const std::string& flag, const std::filesystem::path& path) {
    return ", \"" + flag + "\", " + toml_quoted(path.string());
}

// True when something listens on 127.0.0.1:port (by connecting).
bool can_connect(std::uint16_t port);

// A minimal HTTP GET on 127.0.0.1:port; returns the body or "" on failure.
std::string http_get(std::uint16_t port, const std::string& path = "/");

// Sends `request` as it is to 127.0.0.1:port and returns the whole response (status line,
// headers, body) once the server closes, "" on failure; 2 s at most per read.
std::string http_exchange(std::uint16_t port, const std::string& request);

// GET `path` from the dashboard at `url` ("http://127.0.0.1:P/?token=T", as `run --dashboard`
// prints it) with its own Host header, and the token in the query when `with_token`; the whole
// response.
std::string dashboard_get(const std::string& url, const std::string& path, bool with_token);

std::string read_file(const std::filesystem::path& path);

// The names in `dir`, sorted (temp files left behind show up here).
std::vector<std::string> files_in(const std::filesystem::path& dir);

// The pid a process wrote to `file`, once it is there (polled every 5 ms up to `timeout`);
// 0 if none came.
pid_t wait_for_pidfile(const std::filesystem::path& file, std::chrono::milliseconds timeout);

// A pid gone or a zombie (not ours to reap) counts as not running.
bool pid_running(pid_t pid);

// True in a Windows build running under Wine (ntdll exports wine_get_version); false on Linux
// and on real Windows. For skips that name what Wine cannot show.
bool running_under_wine();

// The CPU time the calling thread has used, in ms (user and system): a cost that other
// processes on a loaded machine do not inflate, as they do wall time.
double thread_cpu_ms();

} // namespace golaunch::test
