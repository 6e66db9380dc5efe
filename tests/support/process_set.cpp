#include "support/process_set.hpp"

#include <filesystem>
#include <fstream>

#include "platform/process_info.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>

namespace golaunch::test {

namespace {

bool same_and_running(const TrackedProcess& process) {
    const auto info = read_process_info(process.pid);
    return info && info->state != 'Z' && info->start_ticks == process.start_ticks;
}

} // namespace

bool ProcessSet::add(pid_t pid) {
    const auto info = read_process_info(pid);
    if (!info || info->state == 'Z') {
        return false;
    }
    if (!contains(pid)) {
        std::string command;
        for (const auto& arg : info->cmdline) {
            command += (command.empty() ? "" : " ") + arg;
        }
        m_processes.push_back({pid, info->start_ticks, command.empty() ? info->name : command});
    }
    return true;
}

void ProcessSet::add_tree(pid_t root) {
    add(root);
    for (const pid_t pid : descendants_of(root)) {
        add(pid);
    }
}

bool ProcessSet::contains(pid_t pid) const {
    return std::any_of(m_processes.begin(), m_processes.end(),
                       [&](const TrackedProcess& p) { return p.pid == pid; });
}

std::vector<TrackedProcess> ProcessSet::still_running() const {
    std::vector<TrackedProcess> out;
    std::copy_if(m_processes.begin(), m_processes.end(), std::back_inserter(out), same_and_running);
    return out;
}

std::vector<TrackedProcess> ProcessSet::wait_all_gone(std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    auto running = still_running();
    while (!running.empty() && std::chrono::steady_clock::now() < deadline) {
        ::usleep(5000);
        running = still_running();
    }
    return running;
}

// "; state S, wchan pipe_read, parent 1, fds: pipe:[123] ..." for a process that stayed.
static std::string state_of(pid_t pid) {
    const std::string dir = "/proc/" + std::to_string(pid);
    const auto line_of = [&](const std::string& file, const std::string& key) {
        std::ifstream in(dir + "/" + file);
        std::string line;
        while (std::getline(in, line)) {
            if (key.empty() || line.rfind(key, 0) == 0) {
                return line;
            }
        }
        return std::string();
    };
    std::string text = "; " + line_of("status", "State:") + ", " + line_of("status", "PPid:") +
                       ", wchan " + line_of("wchan", "") + ", fds:";
    std::error_code error;
    for (const auto& fd : std::filesystem::directory_iterator(dir + "/fd", error)) {
        text += " " + fd.path().filename().string() + "->" +
                std::filesystem::read_symlink(fd.path(), error).string();
    }
    return text;
}

std::string describe(const std::vector<TrackedProcess>& processes) {
    std::string out;
    for (const auto& process : processes) {
        out += (out.empty() ? "" : ", ") + std::string("pid ") + std::to_string(process.pid) +
               " (" + process.command + ")" + state_of(process.pid);
    }
    return out;
}

int count_from_env(const char* name, int fallback) {
    const char* text = std::getenv(name);
    if (text == nullptr) {
        return fallback;
    }
    char* end = nullptr;
    const long value = std::strtol(text, &end, 10);
    return end != text && *end == '\0' && value > 0 && value <= 100000 ? static_cast<int>(value)
                                                                       : fallback;
}

} // namespace golaunch::test
