#include "monitor/notify_server-linux.hpp"

#include "monitor/bind_emulation-linux.hpp"
#include "util/error.hpp"

#include <linux/seccomp.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <exception>

namespace golaunch {

namespace {

constexpr std::uint64_t k_wakeup_key = 0;

} // namespace

NotifyServer::NotifyServer()
    : m_epoll(::epoll_create1(EPOLL_CLOEXEC)), m_wakeup(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!m_epoll.valid() || !m_wakeup.valid()) {
        throw Error(std::string("bind monitor: cannot create its event set: ") +
                    std::strerror(errno));
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = k_wakeup_key;
    ::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, m_wakeup.get(), &event);
    // Signals stay with the main thread (Asio's signal_set): block them all in this one.
    sigset_t all;
    sigset_t previous;
    ::sigfillset(&all);
    ::pthread_sigmask(SIG_SETMASK, &all, &previous);
    m_thread = std::thread([this] { serve(); });
    ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
}

NotifyServer::~NotifyServer() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto written = ::write(m_wakeup.get(), &one, sizeof one);
    m_thread.join();
}

std::uint64_t NotifyServer::add(UniqueFd listener, BindEventHandler on_event) {
    const std::lock_guard lock(m_mutex);
    const std::uint64_t key = m_next_key++;
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.u64 = key;
    if (::epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, listener.get(), &event) != 0) {
        throw Error(std::string("bind monitor: cannot watch a listener: ") + std::strerror(errno));
    }
    m_entries.emplace(key, Entry{std::move(listener), std::move(on_event)});
    return key;
}

void NotifyServer::remove(std::uint64_t key) {
    const std::lock_guard lock(m_mutex);
    const auto found = m_entries.find(key);
    if (found != m_entries.end()) {
        ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, found->second.listener.get(), nullptr);
        m_entries.erase(found); // closes the listener
    }
}

void NotifyServer::serve() {
    epoll_event events[16];
    for (;;) {
        const int count = ::epoll_wait(m_epoll.get(), events, 16, -1);
        if (count < 0 && errno != EINTR) {
            return;
        }
        for (int i = 0; i < count; ++i) {
            if (events[i].data.u64 == k_wakeup_key) {
                return;
            }
            if ((events[i].events & EPOLLIN) != 0) {
                answer(events[i].data.u64);
            } else if ((events[i].events & (EPOLLHUP | EPOLLERR)) != 0) {
                // Every process under this filter has exited: nothing more will come.
                const std::lock_guard lock(m_mutex);
                const auto found = m_entries.find(events[i].data.u64);
                if (found != m_entries.end()) {
                    ::epoll_ctl(m_epoll.get(), EPOLL_CTL_DEL, found->second.listener.get(),
                                nullptr);
                }
            }
        }
    }
}

void NotifyServer::answer(std::uint64_t key) {
    const std::lock_guard lock(m_mutex);
    const auto found = m_entries.find(key);
    if (found == m_entries.end()) {
        return; // removed after epoll_wait returned
    }
    const int listener = found->second.listener.get();
    seccomp_notif request;
    std::memset(&request, 0, sizeof request); // the kernel insists on a zeroed request
    if (::ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, &request) != 0) {
        return; // ENOENT: the caller died or was interrupted before we got to it
    }
    try {
        auto emulation = emulate_bind_call(listener, request);
        // Told before the caller goes on: its exit can never be handled before its last call.
        if (emulation.event && found->second.on_event) {
            try {
                found->second.on_event(*emulation.event);
            } catch (const std::exception&) { // the answer below must go out all the same
            }
        }
        ::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &emulation.response);
    } catch (const std::exception&) {
        // Never leave the caller waiting and never let this thread end the program: the
        // kernel performs the call itself (the answer may already have been sent: harmless).
        seccomp_notif_resp response{};
        response.id = request.id;
        response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
        ::ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &response);
    }
}

} // namespace golaunch
