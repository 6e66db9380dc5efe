// One process launched under a bind monitor session, its BindEvents and output lines collected:
// what the monitor backend tests (seccomp notify, ptrace) look into.
#pragma once

#include "monitor/bind_monitor.hpp"
#include "supervise/launcher.hpp"
#include "supervise/line_reader.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace golaunch::test {

class MonitoredProcess {
  public:
    // Launches argv (argv[0] an absolute path) under a new session of `monitor`; throws Error
    // when the monitor declines it.
    // `handler_delay` makes the event handler slow (it sleeps that long before recording an
    // event), as an event loop busy with other work would be.
    MonitoredProcess(BindMonitor& monitor, std::vector<std::string> argv,
                     std::chrono::milliseconds handler_delay = std::chrono::milliseconds(0));
    ~MonitoredProcess(); // stop(), then the session ends
    MonitoredProcess(const MonitoredProcess&) = delete;
    MonitoredProcess& operator=(const MonitoredProcess&) = delete;

    pid_t pid() const { return m_process->pid; }
    // SIGTERM to the process group, SIGKILL after 10 s; the exit code (or -1). Once.
    int stop();
    // Waits (bounded by `limit`) for the process to exit on its own and reaps it; then asks the
    // session for the events of every call that has returned, as the supervisor does before it
    // handles an exit. True when it exited in time.
    bool wait_for_exit_and_flush(std::chrono::milliseconds limit);
    std::vector<BindEvent> events();
    // True when an output line (stdout or stderr) contains `part`.
    bool saw_line(const std::string& part);
    // The first event of that call on that port.
    std::optional<BindEvent> find(BindCall call, std::uint16_t port);

  private:
    boost::asio::io_context m_io;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> m_work;
    std::unique_ptr<MonitorSession> m_session;
    std::unique_ptr<LaunchedProcess> m_process;
    std::vector<std::shared_ptr<LineReader>> m_readers;
    std::thread m_thread;
    std::mutex m_mutex;
    std::vector<BindEvent> m_events;
    std::vector<std::string> m_lines;
    bool m_stopped = false;
    int m_exit_code = -1;
};

// One monitor of that backend (notify or ptrace) for the whole test binary, created on first
// use; nullptr (with the reason in `why_not`) when this machine cannot run it.
BindMonitor* shared_test_monitor(MonitorKind kind, std::string& why_not);

} // namespace golaunch::test
