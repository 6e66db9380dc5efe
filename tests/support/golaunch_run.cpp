#include "support/golaunch_run.hpp"

#include <sstream>

namespace golaunch::test {

GolaunchRun::GolaunchRun(const TempDir& dir, const std::vector<std::string>& args) {
    static int counter = 0;
    m_output_file =
        (dir.path() / ("golaunch-output-" + std::to_string(++counter) + ".log")).string();
    std::vector<std::string> argv{golaunch_binary()};
    argv.insert(argv.end(), args.begin(), args.end());
    m_child =
        std::make_unique<ChildProcess>(argv, m_output_file, std::vector<std::string>{"NO_COLOR=1"});
}

std::string GolaunchRun::output() const {
    return read_file(m_output_file);
}

bool GolaunchRun::wait_for_output(const std::string& needle,
                                  std::chrono::milliseconds timeout) const {
    return eventually([&] { return output().find(needle) != std::string::npos; }, timeout);
}

std::vector<nlohmann::json> GolaunchRun::events() const {
    std::vector<nlohmann::json> out;
    std::istringstream lines(output());
    std::string line;
    while (std::getline(lines, line)) {
        auto parsed = nlohmann::json::parse(line, nullptr, false);
        if (parsed.is_object() && parsed.contains("event")) {
            out.push_back(std::move(parsed));
        }
    }
    return out;
}

std::optional<nlohmann::json> GolaunchRun::wait_for_event(const std::string& name,
                                                          const std::string& service,
                                                          std::chrono::milliseconds timeout) const {
    std::optional<nlohmann::json> found;
    eventually(
        [&] {
            for (const auto& event : events()) {
                if (event.value("event", "") == name &&
                    (service.empty() || event.value("service", "") == service)) {
                    found = event;
                    return true;
                }
            }
            return false;
        },
        timeout);
    return found;
}

} // namespace golaunch::test
