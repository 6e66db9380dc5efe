// The POSIX half of the test support: sockets, child processes, /proc.
#include "support/test_support.hpp"

#include "platform/socket_table.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>
#include <stdexcept>
#include <string>

namespace golaunch::test {

namespace {

// Ports handed out are claimed across test processes: ctest runs several at once, and the
// kernel may hand two of them the same free port before either binds it (a batch of the
// reliability rounds found its port held by another test's golaunch, with eight tests at once).
// A claim is an flock on a file named after the port, held as long as the claiming process
// lives (its fd stays open, close-on-exec): the kernel releases it when the process ends, however
// it ends, so there is no stale claim to judge. The files stay, one per port ever claimed.
bool claim_port(std::uint16_t port) {
    static auto* claimed = new std::set<std::uint16_t>; // never destroyed, as the locks last
    static const std::string dir = [] {
        const auto path = std::filesystem::temp_directory_path() / "golaunch-test-ports";
        std::error_code error;
        std::filesystem::create_directories(path, error);
        std::filesystem::permissions(
            path, std::filesystem::perms::all | std::filesystem::perms::sticky_bit, error);
        return path.string();
    }();
    if (claimed->contains(port)) {
        return true; // ours already (an earlier round of this process)
    }
    const std::string path = dir + "/" + std::to_string(port);
    const int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        return true; // no registry to use (a read-only temp dir): the socket table alone decides
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        return false; // another live test process has it
    }
    claimed->insert(port);
    return true;
}

} // namespace

std::uint16_t pick_free_port() {
    for (int attempt = 0; attempt < 50; ++attempt) {
        const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = 0;
        socklen_t length = sizeof address;
        if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
            ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
            ::close(fd);
            continue;
        }
        ::close(fd);
        const std::uint16_t port = ntohs(address.sin_port);
        SocketQuery query;
        query.local_port = port;
        if (system_socket_table().query(query).empty() && claim_port(port)) {
            return port;
        }
    }
    throw std::runtime_error("no free loopback port after 50 attempts");
}

HeldListener::HeldListener(std::uint16_t port, Address address) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (address == Address::loopback6) {
        auto& in6 = reinterpret_cast<sockaddr_in6&>(storage);
        in6.sin6_family = AF_INET6;
        in6.sin6_addr = in6addr_loopback;
        in6.sin6_port = htons(port);
        length = sizeof in6;
    } else {
        auto& in4 = reinterpret_cast<sockaddr_in&>(storage);
        in4.sin_family = AF_INET;
        in4.sin_addr.s_addr = htonl(address == Address::any ? INADDR_ANY : INADDR_LOOPBACK);
        in4.sin_port = htons(port);
        length = sizeof in4;
    }
    m_fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    auto* generic = reinterpret_cast<sockaddr*>(&storage);
    m_ok = m_fd >= 0 && ::bind(m_fd, generic, length) == 0 && ::listen(m_fd, 8) == 0 &&
           ::getsockname(m_fd, generic, &length) == 0;
    if (m_ok) {
        m_port =
            ntohs(address == Address::loopback6 ? reinterpret_cast<sockaddr_in6&>(storage).sin6_port
                                                : reinterpret_cast<sockaddr_in&>(storage).sin_port);
    }
}

HeldListener::~HeldListener() {
    close();
}

void HeldListener::close() {
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

std::uint16_t free_privileged_port() {
    for (std::uint16_t port = 1000; port > 600; --port) {
        const bool bindable = HeldListener(port).ok(); // and closed again before the query
        SocketQuery query;
        query.local_port = port;
        // Claimed like pick_free_port's: every caller scans down from 1000, so two test
        // processes at once would otherwise both take the first free one.
        if (bindable && system_socket_table().query(query).empty() && claim_port(port)) {
            return port;
        }
    }
    return 0;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const std::string& output_file,
                           const std::vector<std::string>& extra_env) {
    std::vector<char*> args;
    for (const auto& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    m_pid = ::fork();
    if (m_pid < 0) {
        throw std::runtime_error("fork failed");
    }
    if (m_pid == 0) {
        ::setpgid(0, 0);
        for (const auto& assignment : extra_env) {
            ::putenv(const_cast<char*>(assignment.c_str()));
        }
        const int in = ::open("/dev/null", O_RDONLY);
        ::dup2(in, 0);
        if (!output_file.empty()) {
            const int out = ::open(output_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            ::dup2(out, 1);
            ::dup2(out, 2);
        }
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    ::setpgid(m_pid, m_pid);
    m_running = true;
}

ChildProcess::~ChildProcess() {
    if (m_running) {
        ::kill(m_pid, SIGKILL);
        int status = 0;
        ::waitpid(m_pid, &status, 0);
    }
}

void ChildProcess::signal(int signo) const {
    if (m_running) {
        ::kill(m_pid, signo);
    }
}

std::optional<int> ChildProcess::wait_for(std::chrono::milliseconds timeout) {
    if (!m_running) {
        return std::nullopt;
    }
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (true) {
        int status = 0;
        const pid_t result = ::waitpid(m_pid, &status, WNOHANG);
        if (result == m_pid) {
            m_running = false;
            return status;
        }
        if (std::chrono::steady_clock::now() >= deadline) {
            return std::nullopt;
        }
        ::usleep(2000);
    }
}

bool can_connect(std::uint16_t port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    const bool connected =
        ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
}

std::string http_exchange(std::uint16_t port, const std::string& request) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // Every request asks the server to close (HTTP/1.0, or Connection: close): the timeout only
    // bounds a server that stalls, which on a loaded machine can be for seconds.
    timeval timeout{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
        ::close(fd);
        return "";
    }
    if (::write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
        ::close(fd);
        return "";
    }
    std::string response;
    char buffer[4096];
    ssize_t n = 0;
    while ((n = ::read(fd, buffer, sizeof buffer)) > 0) {
        response.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return response;
}

bool pid_running(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string content;
    if (!std::getline(stat, content)) {
        return false;
    }
    const auto paren = content.rfind(')');
    return paren != std::string::npos && paren + 2 < content.size() && content[paren + 2] != 'Z';
}

bool running_under_wine() {
    return false;
}

double thread_cpu_ms() {
    timespec now{};
    ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<double>(now.tv_sec) * 1e3 + static_cast<double>(now.tv_nsec) / 1e6;
}

} // namespace golaunch::test
