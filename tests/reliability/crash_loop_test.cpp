// A crash-looping service never exceeds its restart budget, counted twice (golaunch's
// `started` events and a file the fixture appends to at every start), while its two siblings
// keep serving: a client thread makes HTTP requests to them for the whole storm and every one
// must succeed.
#include "reliability/reliability_manifest.hpp"
#include "support/golaunch_run.hpp"
#include "support/process_set.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <sstream>
#include <thread>

namespace golaunch::test {
namespace {

using namespace std::chrono_literals;

constexpr int k_max_restarts = 12;

std::size_t lines_in(const std::filesystem::path& file) {
    std::istringstream lines(read_file(file));
    std::size_t count = 0;
    for (std::string line; std::getline(lines, line);) {
        count += line.empty() ? 0 : 1;
    }
    return count;
}

std::size_t count_events(const GolaunchRun& run, const std::string& name,
                         const std::string& service) {
    std::size_t count = 0;
    for (const auto& event : run.events()) {
        count += event.value("event", "") == name && event.value("service", "") == service;
    }
    return count;
}

// Requests to every port in turn until told to stop; counts failures.
class HttpClient {
  public:
    explicit HttpClient(std::vector<std::uint16_t> ports) : m_ports(std::move(ports)) {
        m_thread = std::thread([this] { loop(); });
    }
    ~HttpClient() { stop(); }
    void stop() {
        m_stop = true;
        if (m_thread.joinable()) {
            m_thread.join();
        }
    }
    int requests() const { return m_requests; }
    int failures() const { return m_failures; }
    const std::string& first_failure() const { return m_first_failure; } // after stop()

  private:
    void loop() {
        for (std::size_t i = 0; !m_stop; ++i) {
            const auto port = m_ports[i % m_ports.size()];
            const auto body = http_get(port);
            ++m_requests;
            if (body.find("hello from") == std::string::npos) {
                if (m_failures++ == 0) {
                    m_first_failure = "port " + std::to_string(port) + " answered \"" + body + "\"";
                }
            }
            ::usleep(2000);
        }
    }

    std::vector<std::uint16_t> m_ports;
    std::atomic<bool> m_stop{false};
    std::atomic<int> m_requests{0};
    std::atomic<int> m_failures{0};
    std::string m_first_failure;
    std::thread m_thread;
};

TEST(Reliability, CrashLoopStaysWithinItsRestartBudgetWhileTheOthersKeepServing) {
    TempDir dir;
    const auto ports = pick_free_ports(3);
    const auto starts = dir.path() / "starts.txt";
    // The crashing service listens (so it is ready), then exits with status 1 after 30 ms.
    const std::string crash =
        "[services.crash]\ncmd = [" + toml_quoted(fixture("crashloop")) +
        ", \"-after\", \"30ms\", \"-starts\", " + toml_quoted(starts.string()) + ", \"-addr\", " +
        toml_quoted("127.0.0.1:" + std::to_string(ports[2])) +
        "]\nports = { http = " + std::to_string(ports[2]) +
        " }\nrestart = \"on-failure\"\nmax_restarts = " + std::to_string(k_max_restarts) +
        "\nbackoff = { initial = \"10ms\", max = \"40ms\" }\n";
    const auto manifest = dir.write("app.toml", "version = 1\n" + http_service("web", ports[0]) +
                                                    http_service("api", ports[1]) + crash);
    GolaunchRun run(dir, {"run", manifest.string(), "--json", "--no-network"});
    ASSERT_TRUE(run.wait_for_event("ready", "web", 15s)) << run.output();
    ASSERT_TRUE(run.wait_for_event("ready", "api", 15s)) << run.output();

    HttpClient client({ports[0], ports[1]});
    const auto gave_up = run.wait_for_event("gave_up", "crash", 30s);
    // A little longer: a restart beyond the budget would show up here.
    ::usleep(300'000);
    client.stop();
    ASSERT_TRUE(gave_up) << run.output();

    const auto expected_starts = static_cast<std::size_t>(k_max_restarts + 1);
    EXPECT_EQ(count_events(run, "started", "crash"), expected_starts) << run.output();
    EXPECT_EQ(lines_in(starts), expected_starts) << read_file(starts);
    EXPECT_EQ(count_events(run, "restarting", "crash"), static_cast<std::size_t>(k_max_restarts));
    EXPECT_EQ((*gave_up)["restarts"], k_max_restarts);
    EXPECT_EQ(count_events(run, "started", "web"), 1u);
    EXPECT_EQ(count_events(run, "started", "api"), 1u);

    std::printf("[ reliability ] crash loop: %zu starts, %d requests to the siblings, %d "
                "failed\n",
                lines_in(starts), client.requests(), client.failures());
    EXPECT_GE(client.requests(), 50) << "the client must have run during the whole storm";
    EXPECT_EQ(client.failures(), 0) << client.first_failure();
    EXPECT_FALSE(run.wait_for_exit(0ms).has_value()) << "golaunch keeps running after giving up";

    ProcessSet processes;
    processes.add_tree(run.pid());
    run.signal(SIGINT);
    const auto status = run.wait_for_exit(15s);
    ASSERT_TRUE(status) << run.output();
    EXPECT_EQ(exit_code_of(*status), 130) << run.output();
    const auto left = processes.wait_all_gone(5s);
    EXPECT_TRUE(left.empty()) << describe(left);
    EXPECT_EQ(lines_in(starts), expected_starts) << "no start after the budget was spent";
}

} // namespace
} // namespace golaunch::test
