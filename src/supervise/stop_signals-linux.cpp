#include "supervise/stop_signals.hpp"

#include <signal.h>

namespace golaunch {

void add_stop_signals(boost::asio::signal_set& signals) {
    signals.add(SIGINT);
    signals.add(SIGTERM);
    signals.add(SIGHUP);
}

void add_child_exit_signal(boost::asio::signal_set& signals) {
    signals.add(SIGCHLD);
}

std::string stop_signal_name(int signo) {
    return signo == SIGINT ? "Ctrl-C" : signo == SIGHUP ? "SIGHUP" : "SIGTERM";
}

std::string stop_signal_reason(int signo) {
    return signo == SIGINT   ? "interrupted (Ctrl-C)"
           : signo == SIGHUP ? "the terminal closed (SIGHUP)"
                             : "received SIGTERM";
}

} // namespace golaunch
