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
    interrupted = 130,
};

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message, ExitCode code = ExitCode::service_failed,
                   std::string hint = {})
        : std::runtime_error(message), m_code(code), m_hint(std::move(hint)) {}

    ExitCode code() const { return m_code; }
    const std::string& hint() const { return m_hint; }

private:
    ExitCode m_code;
    std::string m_hint;
};

// Usage or manifest error: exit code 2.
inline Error usage_error(const std::string& message, std::string hint = {}) {
    return Error(message, ExitCode::usage, std::move(hint));
}

} // namespace golaunch
