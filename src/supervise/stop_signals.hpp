// The signals golaunch acts on. Linux: SIGINT, SIGTERM and SIGHUP stop it; SIGCHLD says a child
// (maybe an adopted orphan) exited. Windows: SIGINT (Ctrl-C), SIGBREAK (Ctrl-Break, console
// close) and SIGTERM stop it; no child signal (a Job Object leaves no zombies to reap).
// Handlers only record; the event loop acts.
#pragma once

#include <boost/asio/signal_set.hpp>

#include <string>

namespace golaunch {

void add_stop_signals(boost::asio::signal_set& signals);
void add_child_exit_signal(boost::asio::signal_set& signals);

// "Ctrl-C", "SIGTERM": for "second Ctrl-C: killing every service now".
std::string stop_signal_name(int signo);
// Why golaunch stops: "interrupted (Ctrl-C)", "received SIGTERM".
std::string stop_signal_reason(int signo);

} // namespace golaunch
