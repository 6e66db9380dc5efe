#include "platform/port_owners.hpp"

#include "platform/local_time.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <ctime>
#include <map>
#include <set>
#include <tuple>

namespace golaunch {

namespace {

bool socket_order(const PortUser& a, const PortUser& b) {
    const auto key = [](const SocketEntry& s) {
        return std::tie(s.protocol, s.family, s.local_address, s.state, s.remote_address,
                        s.remote_port, s.inode);
    };
    return key(a.socket) < key(b.socket);
}

std::string exe_basename(const std::string& exe) {
    std::string path = exe;
    constexpr std::string_view deleted = " (deleted)";
    if (path.size() > deleted.size() &&
        path.compare(path.size() - deleted.size(), deleted.size(), deleted) == 0) {
        path.resize(path.size() - deleted.size());
    }
    const auto slash = path.find_last_of("/\\");
    std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    constexpr std::string_view windows_suffix = ".exe";
    if (name.size() > windows_suffix.size() &&
        name.compare(name.size() - windows_suffix.size(), windows_suffix.size(), windows_suffix) ==
            0) {
        name.resize(name.size() - windows_suffix.size()); // golaunch.exe is golaunch too
    }
    return name;
}

std::string one_line(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        const auto byte = static_cast<unsigned char>(c);
        if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else if (byte < 0x20 || byte == 0x7f) {
            static constexpr char k_hex[] = "0123456789abcdef";
            out += "\\x";
            out += k_hex[byte >> 4];
            out += k_hex[byte & 0xf];
        } else {
            out += c;
        }
    }
    return out;
}

} // namespace

std::vector<PortUser> find_port_users(const SocketTable& table, std::uint16_t port,
                                      bool listening_only, int* denied) {
    SocketQuery query;
    query.local_port = port;
    query.listening_only = listening_only;
    std::vector<PortUser> users;
    std::set<std::uint64_t> inodes;
    for (auto& entry : table.query(query)) {
        if (entry.inode != 0) {
            inodes.insert(entry.inode);
        }
        users.push_back(PortUser{std::move(entry), {}});
    }
    std::sort(users.begin(), users.end(), socket_order);
    if (inodes.empty()) {
        return users;
    }
    const auto owners = find_socket_owners(inodes, denied);
    std::map<pid_t, std::optional<ProcessInfo>> infos;
    for (auto& user : users) {
        const auto found = owners.find(user.socket.inode);
        if (found == owners.end()) {
            continue;
        }
        std::vector<pid_t> pids = found->second;
        std::sort(pids.begin(), pids.end());
        for (const pid_t pid : pids) {
            auto [slot, inserted] = infos.try_emplace(pid);
            if (inserted) {
                slot->second = read_process_info(pid);
            }
            if (slot->second) {
                user.owners.push_back(*slot->second);
            }
        }
    }
    return users;
}

std::string command_line_text(const std::vector<std::string>& argv) {
    return one_line(shell_join(argv));
}

std::string owner_command(const ProcessInfo& info) {
    if (!info.exe.empty()) {
        std::string command = one_line(info.exe);
        if (info.cmdline.size() > 1) {
            command += " ";
            command += command_line_text(
                std::vector<std::string>(info.cmdline.begin() + 1, info.cmdline.end()));
        }
        return command;
    }
    if (!info.cmdline.empty()) {
        return command_line_text(info.cmdline);
    }
    return "[" + one_line(info.name) + "]";
}

std::string format_start_time(std::chrono::system_clock::time_point time, bool always_date) {
    const std::time_t seconds = std::chrono::system_clock::to_time_t(time);
    const std::time_t now = std::time(nullptr);
    const std::tm local = local_calendar_time(seconds);
    const std::tm today = local_calendar_time(now);
    const bool same_day = local.tm_year == today.tm_year && local.tm_yday == today.tm_yday;
    char text[32];
    std::strftime(text, sizeof text, (always_date || !same_day) ? "%Y-%m-%d %H:%M:%S" : "%H:%M:%S",
                  &local);
    return text;
}

std::string describe_owner(const ProcessInfo& info) {
    std::string text = "pid " + std::to_string(info.pid) + " " + owner_command(info);
    text += " (user " + info.user + ", started " + format_start_time(info.start_time, false);
    if (!info.golaunch_service.empty()) {
        text += ", golaunch service " + info.golaunch_service;
    }
    return text + ")";
}

bool started_by_golaunch(const ProcessInfo& info) {
    if (info.golaunch_pid <= 0 || info.golaunch_pid == info.pid) {
        return false;
    }
    const auto launcher = read_process_info(info.golaunch_pid);
    if (!launcher || launcher->state == 'Z') {
        return false;
    }
    const std::string name = launcher->exe.empty() ? launcher->name : exe_basename(launcher->exe);
    if (name != "golaunch") {
        return false;
    }
    // A recycled pid started after our process cannot be the golaunch that launched it.
    return info.start_ticks == 0 || launcher->start_ticks <= info.start_ticks;
}

} // namespace golaunch
