#include "cli/cmd_who.hpp"

#include "util/time_text.hpp"

#include "platform/port_owners.hpp"
#include "util/error.hpp"
#include "util/strings.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>

namespace golaunch {

namespace {

struct OwnerMark {
    bool by_golaunch = false;
    std::string text;
};

OwnerMark owner_mark(const ProcessInfo& info) {
    if (started_by_golaunch(info)) {
        return {true, "(started by golaunch pid " + std::to_string(info.golaunch_pid) +
                          ", service " + info.golaunch_service + ")"};
    }
    if (info.golaunch_pid > 0) {
        return {false, "(service " + info.golaunch_service + " of golaunch pid " +
                           std::to_string(info.golaunch_pid) + ", which is gone: stale)"};
    }
    return {false, "(not started by golaunch)"};
}

std::string no_owner_text(const SocketEntry& socket, int denied) {
    if (socket.inode == 0) {
        // A listener always has an owner: when the table names none (Wine reports pid 0 for
        // every socket), the system did not say, which is not "nobody".
        return socket.state == SocketState::listen || socket.protocol == Protocol::udp
                   ? std::string("owner not reported by the system's socket table")
                   : std::string("no process (") + to_string(socket.state) + ")";
    }
    if (denied > 0) {
        return "owner hidden (run as root to see it)";
    }
    return "owner not found (another PID namespace, or just exited)";
}

using Row = std::vector<std::string>;

std::string render_text(const WhoOptions& options, const std::vector<PortUser>& users, int denied) {
    std::vector<Row> rows;
    for (const auto& user : users) {
        const auto& socket = user.socket;
        Row prefix{to_string(socket.protocol), to_string(socket.state),
                   format_endpoint(socket.local_address, socket.local_port)};
        if (options.all_states) {
            prefix.push_back(socket.remote_port == 0
                                 ? std::string("-")
                                 : "-> " +
                                       format_endpoint(socket.remote_address, socket.remote_port));
        }
        if (user.owners.empty()) {
            Row row = prefix;
            row.push_back(no_owner_text(socket, denied));
            rows.push_back(std::move(row));
        }
        for (const auto& owner : user.owners) {
            Row row = prefix;
            row.push_back("pid " + std::to_string(owner.pid));
            row.push_back(owner.exe.empty() ? "?" : command_line_text({owner.exe}));
            row.push_back(owner.cmdline.empty() ? "[" + owner.name + "]"
                                                : command_line_text(owner.cmdline));
            row.push_back("user " + owner.user);
            row.push_back("started " + format_start_time(owner.start_time, true));
            row.push_back(owner_mark(owner).text);
            rows.push_back(std::move(row));
        }
    }
    std::string out = "PORT " + std::to_string(options.port) + "\n" + render_columns(rows);
    if (denied > 0) {
        out += "  (" + std::to_string(denied) +
               " processes could not be inspected; run as root to see every owner)\n";
    }
    return out;
}

nlohmann::json owner_json(const ProcessInfo& owner) {
    return {{"pid", owner.pid},
            {"ppid", owner.ppid},
            {"name", owner.name},
            {"exe", owner.exe},
            {"cmdline", owner.cmdline},
            {"user", owner.user},
            {"uid", owner.uid},
            {"start_time", iso8601_utc(owner.start_time)},
            {"golaunch_service", owner.golaunch_service},
            {"golaunch_pid", owner.golaunch_pid},
            {"started_by_golaunch", started_by_golaunch(owner)}};
}

nlohmann::json render_json(const WhoOptions& options, const std::vector<PortUser>& users,
                           int denied) {
    nlohmann::json sockets = nlohmann::json::array();
    for (const auto& user : users) {
        const auto& socket = user.socket;
        nlohmann::json owners = nlohmann::json::array();
        for (const auto& owner : user.owners) {
            owners.push_back(owner_json(owner));
        }
        sockets.push_back({{"protocol", to_string(socket.protocol)},
                           {"family", socket.family == AddressFamily::ipv4 ? "ipv4" : "ipv6"},
                           {"state", to_string(socket.state)},
                           {"address", socket.local_address},
                           {"port", socket.local_port},
                           {"remote_address", socket.remote_address},
                           {"remote_port", socket.remote_port},
                           {"v6only", socket.v6only},
                           {"inode", socket.inode},
                           {"uid", socket.uid},
                           {"owners", std::move(owners)}});
    }
    return {{"port", options.port}, {"sockets", std::move(sockets)}, {"hidden_processes", denied}};
}

} // namespace

int run_who(const WhoOptions& options) {
    if (options.port == 0) {
        throw usage_error("who: the port must be between 1 and 65535");
    }
    int denied = 0;
    const auto users =
        find_port_users(system_socket_table(), options.port, !options.all_states, &denied);
    std::string out;
    if (options.json) {
        out = render_json(options, users, denied).dump() + "\n";
    } else if (users.empty()) {
        out = std::string(options.all_states ? "nothing uses port "
                                             : "nothing is listening on port ") +
              std::to_string(options.port) + "\n";
    } else {
        out = render_text(options, users, denied);
    }
    std::fwrite(out.data(), 1, out.size(), stdout);
    std::fflush(stdout);
    return users.empty() ? 1 : 0;
}

} // namespace golaunch
