// Runs the real golaunch binary as a child of the test, output captured to a file.
#pragma once

#include "support/test_support.hpp"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <vector>

namespace golaunch::test {

class GolaunchRun {
  public:
    // `args` after the binary name, e.g. {"run", manifest, "--json"}.
    GolaunchRun(const TempDir& dir, const std::vector<std::string>& args);

    pid_t pid() const { return m_child->pid(); }
    void signal(int signo) const { m_child->signal(signo); }
    std::optional<int> wait_for_exit(std::chrono::milliseconds timeout) {
        return m_child->wait_for(timeout);
    }

    std::string output() const;
    bool wait_for_output(const std::string& needle, std::chrono::milliseconds timeout) const;

    // NDJSON events (lines that parse as JSON objects with an "event" key).
    std::vector<nlohmann::json> events() const;
    // The first event named `name` (and for `service`, if given); waits up to `timeout`.
    std::optional<nlohmann::json> wait_for_event(const std::string& name,
                                                 const std::string& service,
                                                 std::chrono::milliseconds timeout) const;

  private:
    std::string m_output_file;
    std::unique_ptr<ChildProcess> m_child;
};

// Exit code from a wait status (-1 when killed by a signal).
int exit_code_of(int wait_status);

} // namespace golaunch::test
