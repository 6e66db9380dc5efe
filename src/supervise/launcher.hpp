// Starts one child process: environment as given, stdout/stderr into pipes the event loop
// reads, everything it starts kept together in a ProcessTree. Linux (launcher-linux, Boost.Process
// v2): own process group, parent-death signal. Windows (launcher-win32, CreateProcessW): created
// suspended in a new console process group, put in a kill-on-close Job Object, then resumed.
#pragma once

#include "monitor/bind_monitor.hpp"
#include "platform/cgroup.hpp"
#include "supervise/boost_process.hpp"
#include "supervise/process_tree.hpp"
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
    ChildHook* child_hook = nullptr; // runs last before exec / resume (the bind monitor)
    // Linux: the service's cgroup, which the child joins itself before exec (so nothing it
    // starts is ever outside it); the launched tree is then that cgroup. Windows ignores it
    // (the Job Object holds the tree).
    const ServiceCgroup* cgroup = nullptr;
    // Windows only: the command line, verbatim, instead of one built from `args` by the C
    // runtime's quoting rules (cmd.exe /s /c "..." has rules of its own). Linux ignores it.
    std::string raw_command_line;
};

struct LaunchedProcess {
    explicit LaunchedProcess(boost::asio::io_context& io) : out(io), err(io), process(io) {}
    boost::asio::readable_pipe out;
    boost::asio::readable_pipe err;
    boost::process::v2::process process;
    int pid = -1;     // also the process group id (Linux) / console process group (Windows)
    ProcessTree tree; // the process group (Linux) or the Job Object (Windows)
};

// Throws golaunch::Error when the program cannot be started (Linux: exec failure is reported
// by the child through a close-on-exec pipe, so "No such file" and "Permission denied" are
// exact; Windows: CreateProcessW's error in FormatMessage's words).
std::unique_ptr<LaunchedProcess> launch_process(boost::asio::io_context& io,
                                                const LaunchSpec& spec);

} // namespace golaunch
