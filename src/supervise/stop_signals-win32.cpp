#include "supervise/stop_signals.hpp"

#include <signal.h>

namespace golaunch {

void add_stop_signals(boost::asio::signal_set& signals) {
    signals.add(SIGINT);
    signals.add(SIGBREAK);
    signals.add(SIGTERM);
}

void add_child_exit_signal(boost::asio::signal_set&) {}

std::string stop_signal_name(int signo) {
    return signo == SIGINT ? "Ctrl-C" : signo == SIGBREAK ? "Ctrl-Break" : "SIGTERM";
}

std::string stop_signal_reason(int signo) {
    return signo == SIGINT     ? "interrupted (Ctrl-C)"
           : signo == SIGBREAK ? "interrupted (Ctrl-Break or the console closed)"
                               : "received SIGTERM";
}

} // namespace golaunch
