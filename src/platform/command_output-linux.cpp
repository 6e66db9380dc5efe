#include "platform/command_output.hpp"

#include "util/strings.hpp"
#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace golaunch {

namespace {

constexpr std::size_t k_max_out = 4U << 20U;
constexpr std::size_t k_max_err = 64U << 10U;

bool executable_file(const std::string& path) {
    struct stat info {};
    return ::stat(path.c_str(), &info) == 0 && S_ISREG(info.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

std::string env_value(const std::vector<std::string>& env, const std::string& key) {
    for (const auto& entry : env) {
        if (entry.size() > key.size() && entry.compare(0, key.size(), key) == 0 &&
            entry[key.size()] == '=') {
            return entry.substr(key.size() + 1);
        }
    }
    return "";
}

int wait_status_code(int status) {
    if (WIFEXITED(status)) {
        return WEXITSTATUS(status);
    }
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

// Reads both pipes until they close or the deadline passes; false on timeout.
bool drain(int out_fd, int err_fd, std::chrono::steady_clock::time_point deadline,
           CommandOutput& result) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    const std::size_t caps[2] = {k_max_out, k_max_err};
    int open = 2;
    while (open > 0) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return false;
        }
        const int ready = ::poll(fds, 2, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            return ready == 0 ? false : true;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) {
                continue;
            }
            char buffer[8192];
            const ssize_t count = ::read(fds[i].fd, buffer, sizeof buffer);
            if (count <= 0) {
                fds[i].fd = -1;
                --open;
            } else if (sinks[i]->size() < caps[i]) {
                sinks[i]->append(buffer, static_cast<std::size_t>(count));
            }
        }
    }
    return true;
}

} // namespace

std::string find_in_path(const std::string& program, const std::string& path) {
    if (program.find('/') != std::string::npos) {
        return executable_file(program) ? program : "";
    }
    for (const auto& dir : split(path, ':')) {
        const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
        if (executable_file(candidate)) {
            return candidate;
        }
    }
    return "";
}

CommandOutput run_command(const std::vector<std::string>& argv, std::chrono::milliseconds timeout,
                          const std::vector<std::string>& env, const std::filesystem::path& cwd) {
    CommandOutput result;
    const char* own_path = std::getenv("PATH");
    const std::string path =
        env.empty() ? (own_path ? own_path : "/usr/bin:/bin") : env_value(env, "PATH");
    const std::string program = argv.empty() ? "" : find_in_path(argv.front(), path);
    if (program.empty()) {
        result.error =
            (argv.empty() ? std::string("no command") : argv.front()) + ": not found in PATH";
        return result;
    }
    int out_pipe[2];
    int err_pipe[2];
    if (::pipe2(out_pipe, O_CLOEXEC) != 0) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    UniqueFd out_read(out_pipe[0]);
    UniqueFd out_write(out_pipe[1]);
    if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
        result.error = std::string("pipe: ") + std::strerror(errno);
        return result;
    }
    UniqueFd err_read(err_pipe[0]);
    UniqueFd err_write(err_pipe[1]);

    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    std::vector<char*> envp;
    for (const auto& entry : env) {
        envp.push_back(const_cast<char*>(entry.c_str()));
    }
    envp.push_back(nullptr);

    const pid_t pid = ::fork();
    if (pid < 0) {
        result.error = std::string("fork: ") + std::strerror(errno);
        return result;
    }
    if (pid == 0) {
        ::setpgid(0, 0);
        const int null = ::open("/dev/null", O_RDONLY);
        ::dup2(null, 0);
        ::dup2(out_write.get(), 1);
        ::dup2(err_write.get(), 2);
        if (!cwd.empty() && ::chdir(cwd.c_str()) != 0) {
            ::_exit(127);
        }
        if (env.empty()) {
            ::execv(program.c_str(), args.data());
        } else {
            ::execve(program.c_str(), args.data(), envp.data());
        }
        ::_exit(127);
    }
    ::setpgid(pid, pid);
    result.started = true;
    out_write.reset();
    err_write.reset();
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!drain(out_read.get(), err_read.get(), deadline, result)) {
        result.timed_out = true;
        ::kill(-pid, SIGKILL);
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_code = wait_status_code(status);
    return result;
}

} // namespace golaunch
