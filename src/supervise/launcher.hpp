// Starts one child process (Boost.Process v2): own process group, parent-death signal,
// environment as given, stdout/stderr into pipes the event loop reads.
#pragma once

#include "monitor/bind_monitor.hpp"
#include "supervise/boost_process.hpp"
#include <boost/asio/io_context.hpp>
#include <boost/asio/readable_pipe.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace golaunch {

struct LaunchSpec {
    std::filesystem::path executable; // absolute, or relative to `cwd`
    std::vector<std::string> args;    // argv[1..]
    std::vector<std::string> env;     // complete environment, "KEY=VALUE"
    std::filesystem::path cwd;
    ChildHook* child_hook = nullptr; // runs last before exec (the bind monitor's filter)
};

struct LaunchedProcess {
    explicit LaunchedProcess(boost::asio::io_context& io) : out(io), err(io), process(io) {}
    boost::asio::readable_pipe out;
    boost::asio::readable_pipe err;
    boost::process::v2::process process;
    int pid = -1; // also the process group id
};

// Throws golaunch::Error when the program cannot be started (exec failure is reported by the
// child through a close-on-exec pipe, so "No such file" and "Permission denied" are exact).
std::unique_ptr<LaunchedProcess> launch_process(boost::asio::io_context& io,
                                                const LaunchSpec& spec);

// Finds `program` on PATH (from `env`, else ours) unless it contains a '/'. "" when not found.
std::filesystem::path find_program(const std::string& program, const std::vector<std::string>& env);

} // namespace golaunch
