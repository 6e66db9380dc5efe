#include "supervise/startup_diagnosis.hpp"

#include "util/strings.hpp"

#include <algorithm>

namespace golaunch {

namespace {

bool is_loopback(const std::string& address) {
    return address.rfind("127.", 0) == 0 || address == "::1" ||
           address.rfind("::ffff:127.", 0) == 0;
}

std::string endpoint(const std::string& address, std::uint16_t port) {
    return address.find(':') != std::string::npos && address.rfind("::ffff:", 0) != 0
               ? "[" + address + "]:" + std::to_string(port)
               : (address.rfind("::ffff:", 0) == 0 ? address.substr(7) : address) + ":" +
                     std::to_string(port);
}

std::string process_label(const ProcessActivity& process) {
    return "pid " + std::to_string(process.pid) + " (" + process.name + ")";
}

// "(ports.db.pg of service db, not listening)" for a loopback peer; "" when nothing is known.
std::string peer_note(const DiagnosisFacts& facts, const SocketEntry& socket) {
    if (!is_loopback(socket.remote_address)) {
        return "";
    }
    std::vector<std::string> parts;
    const auto named = facts.run_ports.find(socket.remote_port);
    if (named != facts.run_ports.end()) {
        parts.push_back("ports." + named->second.service + "." + named->second.port_name +
                        " of service " + named->second.service +
                        (named->second.ready ? "" : ", not ready"));
    } else {
        parts.push_back("a port no service of this run declares");
    }
    if (socket.protocol == Protocol::tcp) {
        parts.push_back(facts.tcp_listening.count(socket.remote_port) ? "listening"
                                                                      : "not listening");
    } else if (!facts.udp_bound.count(socket.remote_port)) {
        parts.push_back("nothing bound there");
    }
    return " (" + join(parts, ", ") + ")";
}

std::string declared_text(const std::vector<std::uint16_t>& ports) {
    std::vector<std::string> numbers;
    for (const auto port : ports) {
        numbers.push_back(std::to_string(port));
    }
    return join(numbers, ", ");
}

// The socket a thread's fd argument names, if the process holds it.
const SocketEntry* socket_of(const ProcessActivity& process, std::uint64_t inode) {
    for (const auto& socket : process.sockets) {
        if (inode != 0 && socket.inode == inode) {
            return &socket;
        }
    }
    return nullptr;
}

void socket_lines(const DiagnosisFacts& facts, const ProcessActivity& process,
                  std::vector<std::string>& out) {
    const std::string who = process_label(process) + ": ";
    std::set<std::uint16_t> own_listening;
    for (const auto& socket : process.sockets) {
        if (socket.protocol == Protocol::tcp && socket.state == SocketState::listen) {
            own_listening.insert(socket.local_port);
        }
    }
    for (const auto& socket : process.sockets) {
        const std::string peer = endpoint(socket.remote_address, socket.remote_port);
        if (socket.protocol == Protocol::tcp) {
            switch (socket.state) {
            case SocketState::listen: {
                const bool declared =
                    std::find(facts.declared_ports.begin(), facts.declared_ports.end(),
                              socket.local_port) != facts.declared_ports.end();
                if (!declared) {
                    out.push_back(who + "listening on " +
                                  endpoint(socket.local_address, socket.local_port) +
                                  ", not the declared " + declared_text(facts.declared_ports));
                }
                break;
            }
            case SocketState::syn_sent:
                out.push_back(who + "connecting to " + peer + peer_note(facts, socket) +
                              ": no answer to the connection request yet" +
                              (is_loopback(socket.remote_address) &&
                                       facts.tcp_listening.count(socket.remote_port)
                                   ? " (the listener's accept queue is full: it does not accept)"
                                   : ""));
                break;
            case SocketState::established:
                if (!own_listening.count(socket.local_port)) {
                    out.push_back(who + "connected to " + peer + peer_note(facts, socket));
                }
                break;
            case SocketState::close_wait:
                out.push_back(who + "its connection to " + peer + " was closed by the other side");
                break;
            default:
                break;
            }
            continue;
        }
        if (socket.state != SocketState::established) {
            continue; // a bound, unconnected UDP socket says little
        }
        if (socket.remote_port == 53) {
            out.push_back(
                who + "waiting for a DNS answer from " + peer + " (UDP)" +
                (is_loopback(socket.remote_address) && !facts.udp_bound.count(socket.remote_port)
                     ? " (nothing bound there)"
                     : ""));
        } else {
            out.push_back(who + "waiting for a UDP answer from " + peer + peer_note(facts, socket));
        }
    }
}

void thread_lines(const ProcessActivity& process, std::vector<std::string>& out) {
    if (process.threads.empty()) {
        return;
    }
    const std::string who = process_label(process) + ": ";
    std::map<std::string, int> counts;
    std::map<std::string, std::string> wchans;
    for (const auto& thread : process.threads) {
        const std::string what = thread.running        ? "running"
                                 : thread.syscall >= 0 ? syscall_name(thread.syscall)
                                 : thread.state == 'R' ? "running"
                                 : thread.state == 'T' ? "stopped"
                                                       : "user space";
        ++counts[what];
        if (!thread.wchan.empty()) {
            wchans.emplace(what, thread.wchan);
        }
        if (const auto* socket = socket_of(process, thread.fd_socket)) {
            out.push_back(who + "thread " + std::to_string(thread.tid) + " blocked in " +
                          syscall_name(thread.syscall) + "() on its socket " +
                          (socket->state == SocketState::listen || socket->remote_port == 0
                               ? endpoint(socket->local_address, socket->local_port)
                               : "to " + endpoint(socket->remote_address, socket->remote_port)));
        }
    }
    if (process.threads.size() == 1) {
        const auto& [what, count] = *counts.begin();
        const std::string wait = describe_wait(what);
        const auto wchan = wchans.find(what);
        out.push_back(who +
                      (what == "running" || what == "user space" || what == "stopped"
                           ? what
                           : "blocked in " + what) +
                      (wait.empty() ? "" : " (" + wait + ")") +
                      (wchan == wchans.end() ? "" : ", kernel wait " + wchan->second));
        return;
    }
    std::vector<std::pair<int, std::string>> sorted;
    for (const auto& [what, count] : counts) {
        sorted.emplace_back(-count, what);
    }
    std::sort(sorted.begin(), sorted.end());
    std::vector<std::string> parts;
    for (const auto& [negative, what] : sorted) {
        parts.push_back(what + " x" + std::to_string(-negative));
    }
    const bool go_style =
        (counts.count("epoll_pwait") || counts.count("epoll_wait")) && counts.count("futex");
    out.push_back(who + std::to_string(process.threads.size()) + " threads: " + join(parts, ", ") +
                  (go_style ? " (Go-style runtime: goroutines wait in the network poller or on "
                              "locks; its sockets say on what)"
                            : ""));
}

} // namespace

std::string describe_wait(const std::string& syscall) {
    static const std::map<std::string, std::string> k_words{
        {"connect", "connecting"},
        {"accept", "waiting for a connection"},
        {"accept4", "waiting for a connection"},
        {"read", "waiting for data"},
        {"readv", "waiting for data"},
        {"recvfrom", "waiting for data"},
        {"recvmsg", "waiting for data"},
        {"write", "writing: the reader may be slow"},
        {"futex", "waiting on a lock or condition"},
        {"epoll_wait", "waiting for I/O events"},
        {"epoll_pwait", "waiting for I/O events"},
        {"epoll_pwait2", "waiting for I/O events"},
        {"poll", "waiting for I/O"},
        {"ppoll", "waiting for I/O"},
        {"select", "waiting for I/O"},
        {"pselect6", "waiting for I/O"},
        {"nanosleep", "sleeping"},
        {"clock_nanosleep", "sleeping"},
        {"wait4", "waiting for a child process"},
        {"waitid", "waiting for a child process"},
        {"vfork", "waiting for the child it started to run its program"},
        {"flock", "waiting for a file lock"},
        {"fcntl", "possibly waiting for a file lock"},
        {"openat", "opening a file (a FIFO without writer, or a slow filesystem)"},
        {"open", "opening a file (a FIFO without writer, or a slow filesystem)"},
        {"pause", "waiting for a signal"},
        {"rt_sigsuspend", "waiting for a signal"},
        {"rt_sigtimedwait", "waiting for a signal"},
    };
    const auto found = k_words.find(syscall);
    return found == k_words.end() ? "" : found->second;
}

std::vector<std::string> diagnose_startup(const DiagnosisFacts& facts) {
    std::vector<std::string> lines;
    if (facts.processes.empty()) {
        return lines;
    }
    bool any_listening = false;
    for (const auto& process : facts.processes) {
        for (const auto& socket : process.sockets) {
            any_listening = any_listening || (socket.protocol == Protocol::tcp &&
                                              socket.state == SocketState::listen);
        }
    }
    for (const auto& process : facts.processes) {
        socket_lines(facts, process, lines);
    }
    if (!any_listening) {
        lines.push_back("no listening socket yet in its " + std::to_string(facts.processes.size()) +
                        (facts.processes.size() == 1 ? " process" : " processes") +
                        " (nothing has called listen())");
    }
    for (const auto& process : facts.processes) {
        thread_lines(process, lines);
    }
    return lines;
}

} // namespace golaunch
