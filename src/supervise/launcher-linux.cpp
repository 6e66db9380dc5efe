#include "supervise/launcher.hpp"

// GCC 12 reports a false -Warray-bounds/-Wstringop-overflow inside Boost.Process 1.81's
// default_launcher::close_all_fds (it re-assigns a 3-element initializer list to a vector).
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#pragma GCC diagnostic ignored "-Wrestrict"

#include "util/error.hpp"

#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cstring>

namespace golaunch {

namespace bp2 = boost::process::v2;

namespace {

// Runs in the child between fork and exec: async-signal-safe calls only.
struct ChildSetup {
    std::vector<const char*> envp;
    pid_t parent = ::getpid();
    ChildHook* hook = nullptr;
    int cgroup_procs = -1; // the service cgroup's cgroup.procs, or -1

    bp2::error_code on_setup(bp2::posix::default_launcher& launcher, const bp2::filesystem::path&,
                             const char* const*) {
        launcher.env = envp.data();
        return {};
    }

    bp2::error_code on_exec_setup(bp2::posix::default_launcher&, const bp2::filesystem::path&,
                                  const char* const*) {
        // Own process group: Ctrl-C in the terminal reaches golaunch only, and golaunch can
        // signal the whole tree (go run's grandchildren included) with kill(-pgid).
        if (::setpgid(0, 0) != 0) {
            return {errno, bp2::system_category()};
        }
        // If golaunch dies (even kill -9), the kernel sends SIGTERM; the orphan guard then
        // escalates to SIGKILL for the whole group after a grace period.
        if (::prctl(PR_SET_PDEATHSIG, SIGTERM) != 0) {
            return {errno, bp2::system_category()};
        }
        if (::getppid() != parent) {
            ::_exit(127); // golaunch died before prctl took effect
        }
        // Into the service's cgroup before anything else runs: what this process starts is
        // born there, and setsid or a double fork cannot take it out.
        if (cgroup_procs >= 0 && !join_cgroup_in_child(cgroup_procs)) {
            return {errno, bp2::system_category()};
        }
        sigset_t all;
        ::sigemptyset(&all);
        ::sigprocmask(SIG_SETMASK, &all, nullptr);
        for (int signo = 1; signo < NSIG; ++signo) {
            if (signo != SIGKILL && signo != SIGSTOP) {
                ::signal(signo, SIG_DFL);
            }
        }
        if (hook != nullptr) {
            if (const int error = hook->in_child(); error != 0) {
                return {error, bp2::system_category()};
            }
        }
        return {};
    }
};

} // namespace

std::unique_ptr<LaunchedProcess> launch_process(boost::asio::io_context& io,
                                                const LaunchSpec& spec) {
    auto launched = std::make_unique<LaunchedProcess>(io);
    ChildSetup setup;
    setup.hook = spec.child_hook;
    setup.cgroup_procs = spec.cgroup != nullptr ? spec.cgroup->procs_fd() : -1;
    for (const auto& assignment : spec.env) {
        setup.envp.push_back(assignment.c_str());
    }
    setup.envp.push_back(nullptr);
    bp2::error_code ec;
    bp2::posix::default_launcher launcher;
    launched->process = launcher(io.get_executor(), ec, spec.executable, spec.args,
                                 bp2::process_stdio{nullptr, launched->out, launched->err},
                                 bp2::process_start_dir{spec.cwd}, setup);
    if (ec) {
        throw Error("cannot start " + spec.executable.string() + ": " + ec.message(),
                    ExitCode::service_failed,
                    ec == std::errc::no_such_file_or_directory
                        ? "check the path, the working directory (" + spec.cwd.string() +
                              ") and PATH"
                        : "");
    }
    launched->pid = launched->process.id();
    launched->tree = ProcessTree(launched->pid, spec.cgroup); // no cgroup: the process group
    return launched;
}

} // namespace golaunch
