#include "support/isolated_call.hpp"

#include "util/unique_fd.hpp"

#include <fcntl.h>
#include <grp.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>

namespace golaunch::test {

namespace {

bool bring_loopback_up() {
    UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    ifreq request{};
    std::strncpy(request.ifr_name, "lo", IFNAMSIZ - 1);
    if (::ioctl(fd.get(), SIOCGIFFLAGS, &request) != 0) {
        return false;
    }
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    return ::ioctl(fd.get(), SIOCSIFFLAGS, &request) == 0;
}

// In the child: sets up the isolation; "" on success, else the reason.
std::string isolate(const Isolation& isolation) {
    if (isolation.new_mountns) {
        if (::unshare(CLONE_NEWNS) != 0) {
            return std::string("unshare(CLONE_NEWNS): ") + std::strerror(errno);
        }
        if (::mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
            return std::string("making / private: ") + std::strerror(errno);
        }
    }
    if (isolation.new_netns) {
        if (::unshare(CLONE_NEWNET) != 0) {
            return std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno);
        }
        if (isolation.loopback_up && !bring_loopback_up()) {
            return std::string("bringing lo up: ") + std::strerror(errno);
        }
    }
    if (isolation.as_nobody) {
        if (::setgroups(0, nullptr) != 0 || ::setresgid(65534, 65534, 65534) != 0 ||
            ::setresuid(65534, 65534, 65534) != 0) {
            return std::string("dropping to nobody: ") + std::strerror(errno);
        }
    }
    return "";
}

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t count = ::write(fd, text.data() + done, text.size() - done);
        if (count <= 0) {
            return;
        }
        done += static_cast<std::size_t>(count);
    }
}

} // namespace

std::optional<std::string> call_isolated(const Isolation& isolation,
                                         const std::function<std::string()>& body, std::string* why,
                                         std::chrono::milliseconds timeout) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        return std::nullopt;
    }
    UniqueFd read_end(fds[0]);
    UniqueFd write_end(fds[1]);
    const pid_t pid = ::fork();
    if (pid < 0) {
        return std::nullopt;
    }
    if (pid == 0) {
        read_end.reset();
        const std::string failure = isolate(isolation);
        // First byte: 'E' (could not isolate, reason follows) or 'R' (result follows).
        std::string message;
        if (!failure.empty()) {
            message = "E" + failure;
        } else {
            try {
                message = "R" + body();
            } catch (const std::exception& error) {
                message = std::string("X") + error.what();
            }
        }
        write_all(write_end.get(), message);
        ::_exit(0);
    }
    write_end.reset();
    std::string text;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    bool timed_out = false;
    while (true) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd poll_fd{read_end.get(), POLLIN, 0};
        if (left.count() <= 0 || ::poll(&poll_fd, 1, static_cast<int>(left.count())) == 0) {
            timed_out = true;
            break;
        }
        char buffer[4096];
        const ssize_t count = ::read(read_end.get(), buffer, sizeof buffer);
        if (count < 0 && errno == EINTR) {
            continue;
        }
        if (count <= 0) {
            break;
        }
        text.append(buffer, static_cast<std::size_t>(count));
    }
    if (timed_out) {
        ::kill(pid, SIGKILL);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (timed_out || text.empty()) {
        if (why != nullptr) {
            *why = timed_out ? "the child timed out" : "the child died without an answer";
        }
        return std::nullopt;
    }
    if (text[0] != 'R') {
        if (why != nullptr) {
            *why = (text[0] == 'E' ? "" : "exception in the child: ") + text.substr(1);
        }
        return std::nullopt;
    }
    return text.substr(1);
}

bool can_unshare_netns() {
    std::string why;
    return call_isolated(
               {true, true, false}, [] { return std::string("ok"); }, &why)
        .has_value();
}

bool write_sysctl(const std::string& path, const std::string& value) {
    std::ofstream out(path);
    out << value;
    out.flush();
    return static_cast<bool>(out);
}

bool shell(const std::string& command) {
    const std::string quiet = "(" + command + ") >/dev/null 2>&1";
    return std::system(quiet.c_str()) == 0;
}

std::string findings_text(const std::vector<Finding>& findings) {
    std::string text;
    for (const auto& finding : findings) {
        text += finding.id + " " + to_string(finding.severity) + " " + finding.subject + "\n";
        text += "  message: " + finding.message + "\n";
        for (const auto& line : finding.evidence) {
            text += "  evidence: " + line + "\n";
        }
        text += "  remedy: " + finding.remedy + "\n";
    }
    return text;
}

} // namespace golaunch::test
