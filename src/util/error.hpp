// One exception type for fatal errors; caught and printed once in src/cli.
#pragma once

#include <stdexcept>
#include <string>

namespace golaunch {

// Exit codes documented in README.md.
enum class ExitCode : int {
    ok = 0,
    service_failed = 1,
    usage = 2,
    preflight_failed = 3,
    startup_timeout = 4,
    already_running = 5, // another golaunch holds .golaunch/lock
    interrupted = 130,
};

class Error : public std::runtime_error {
  public:
    explicit Error(const std::string& message, ExitCode code = ExitCode::service_failed,
                   std::string hint = {})
        : std::runtime_error(message), m_code(code), m_hint(std::move(hint)) {}

    // A usage error whose message already says where, compiler-style
    // ("app.toml:12:5: error: ..." plus the source line and a caret): printed as it is.
    static Error located(const std::string& message, std::string hint = {}) {
        Error error(message, ExitCode::usage, std::move(hint));
        error.m_located = true;
        return error;
    }

    ExitCode code() const { return m_code; }
    const std::string& hint() const { return m_hint; }
    bool is_located() const { return m_located; }

  private:
    ExitCode m_code;
    std::string m_hint;
    bool m_located = false;
};

// Usage or manifest error: exit code 2.
inline Error usage_error(const std::string& message, std::string hint = {}) {
    return Error(message, ExitCode::usage, std::move(hint));
}

} // namespace golaunch
