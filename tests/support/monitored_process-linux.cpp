#include "support/monitored_process.hpp"

#include "monitor/ptrace_monitor-linux.hpp"
#include "util/error.hpp"

#include <signal.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <map>

namespace golaunch::test {

using namespace std::chrono_literals;

MonitoredProcess::MonitoredProcess(BindMonitor& monitor, std::vector<std::string> argv,
                                   std::chrono::milliseconds handler_delay)
    : m_work(boost::asio::make_work_guard(m_io)) {
    LaunchSpec spec;
    spec.executable = argv.at(0);
    spec.args.assign(argv.begin() + 1, argv.end());
    spec.env = {"PATH=/usr/bin:/bin", "HOME=/tmp"};
    spec.cwd = std::filesystem::temp_directory_path();
    std::string why_not;
    m_session = monitor.prepare(
        spec.executable.string(),
        [this, handler_delay](const BindEvent& event) {
            std::this_thread::sleep_for(handler_delay);
            const std::lock_guard lock(m_mutex);
            m_events.push_back(event);
        },
        why_not);
    if (!m_session) {
        throw Error("cannot monitor: " + why_not);
    }
    spec.child_hook = m_session->child_hook();
    m_process = launch_process(m_io, spec);
    m_session->attach(m_process->pid);
    for (auto* pipe : {&m_process->out, &m_process->err}) {
        auto reader = std::make_shared<LineReader>(
            std::move(*pipe),
            [this](const std::string& line) {
                const std::lock_guard lock(m_mutex);
                m_lines.push_back(line);
            },
            [] {});
        reader->start();
        m_readers.push_back(reader);
    }
    m_thread = std::thread([this] { m_io.run(); });
}

MonitoredProcess::~MonitoredProcess() {
    stop();
    m_session.reset();
    m_work.reset();
    m_io.stop();
    m_thread.join();
}

int MonitoredProcess::stop() {
    if (!m_stopped) {
        m_stopped = true;
        ::kill(-m_process->pid, SIGTERM);
        // Bounded: SIGKILL after 10 s (a swallowed SIGTERM fails the test, never hangs it).
        std::atomic<bool> exited{false};
        std::thread watchdog([&, pgid = m_process->pid] {
            for (int i = 0; i < 100 && !exited; ++i) {
                std::this_thread::sleep_for(100ms);
            }
            if (!exited) {
                ::kill(-pgid, SIGKILL);
            }
        });
        boost::system::error_code ec;
        m_exit_code = m_process->process.wait(ec);
        exited = true;
        watchdog.join();
        if (ec) {
            m_exit_code = -1;
        }
    }
    return m_exit_code;
}

bool MonitoredProcess::wait_for_exit_and_flush(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    for (;;) {
        boost::system::error_code ec;
        if (!m_process->process.running(ec)) { // reaps it
            m_stopped = true;
            m_exit_code = ec ? -1 : m_process->process.exit_code();
            m_session->flush();
            return true;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(5ms);
    }
}

std::vector<BindEvent> MonitoredProcess::events() {
    const std::lock_guard lock(m_mutex);
    return m_events;
}

bool MonitoredProcess::saw_line(const std::string& part) {
    const std::lock_guard lock(m_mutex);
    for (const auto& line : m_lines) {
        if (line.find(part) != std::string::npos) {
            return true;
        }
    }
    return false;
}

std::optional<BindEvent> MonitoredProcess::find(BindCall call, std::uint16_t port) {
    for (const auto& event : events()) {
        if (event.call == call && event.port == port) {
            return event;
        }
    }
    return std::nullopt;
}

BindMonitor* shared_test_monitor(MonitorKind kind, std::string& why_not) {
    struct Made {
        std::unique_ptr<BindMonitor> monitor;
        std::string why_not;
    };
    static std::map<MonitorKind, Made> made;
    auto found = made.find(kind);
    if (found == made.end()) {
        Made entry;
        if (kind == MonitorKind::ptrace) {
            entry.monitor = create_ptrace_monitor(entry.why_not);
        } else {
            try {
                entry.monitor = create_bind_monitor(kind, entry.why_not);
            } catch (const Error& error) {
                entry.why_not = error.what();
            }
        }
        found = made.emplace(kind, std::move(entry)).first;
    }
    why_not = found->second.why_not;
    return found->second.monitor.get();
}

} // namespace golaunch::test
