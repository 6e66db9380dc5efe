#include "monitor/bind_emulation-linux.hpp"

#include "monitor/capability_scope.hpp"
#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <linux/capability.h>
#include <linux/nsfs.h>
#include <linux/sockios.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

namespace golaunch {

namespace {

constexpr unsigned k_bind_service_bit = 1U << CAP_NET_BIND_SERVICE; // in capability word 0
constexpr int k_max_user_ns_depth = 33; // the kernel nests user namespaces 32 deep at most

// Reads "Tgid:", "Uid:" (the effective one) and "CapEff:" from /proc/TID/status (a thread id
// works as well as a pid), and the thread's user namespace. /proc shows the uid as seen from
// golaunch's own user namespace, as NS_GET_OWNER_UID does: the two compare.
struct TaskFacts {
    pid_t tgid = 0;
    CapabilityHolder holder;
};

std::optional<NamespaceId> namespace_id(int fd) {
    struct stat info {};
    if (::fstat(fd, &info) != 0) {
        return std::nullopt;
    }
    return NamespaceId{static_cast<std::uint64_t>(info.st_dev),
                       static_cast<std::uint64_t>(info.st_ino)};
}

std::optional<NamespaceId> namespace_id(const char* path) {
    struct stat info {};
    if (::stat(path, &info) != 0) {
        return std::nullopt;
    }
    return NamespaceId{static_cast<std::uint64_t>(info.st_dev),
                       static_cast<std::uint64_t>(info.st_ino)};
}

std::optional<TaskFacts> read_task_facts(pid_t tid) {
    char path[64];
    std::snprintf(path, sizeof path, "/proc/%d/status", tid);
    std::ifstream in(path);
    std::string line;
    TaskFacts facts;
    bool have_caps = false;
    bool have_uid = false;
    while (std::getline(in, line)) {
        if (line.rfind("Tgid:", 0) == 0) {
            facts.tgid = static_cast<pid_t>(std::stol(line.substr(5)));
        } else if (line.rfind("Uid:", 0) == 0) {
            unsigned long real = 0;
            unsigned long effective = 0;
            have_uid = std::sscanf(line.c_str() + 4, "%lu %lu", &real, &effective) == 2;
            facts.holder.euid = static_cast<std::uint32_t>(effective);
        } else if (line.rfind("CapEff:", 0) == 0) {
            const unsigned long long caps = std::stoull(line.substr(7), nullptr, 16);
            facts.holder.has_in_own_ns = (caps & k_bind_service_bit) != 0;
            have_caps = true;
        }
    }
    std::snprintf(path, sizeof path, "/proc/%d/ns/user", tid);
    const auto user_ns = namespace_id(path);
    if (facts.tgid <= 0 || !have_caps || !have_uid || !user_ns) {
        return std::nullopt;
    }
    facts.holder.user_ns = *user_ns;
    return facts;
}

// The user namespace that owns the socket's network namespace, then its ancestors as far as
// golaunch may follow them (NS_GET_PARENT refuses beyond its own user namespace). Empty when
// the socket's namespace cannot be learnt: no one then holds anything over it.
std::vector<UserNamespaceStep> socket_owner_chain(int socket) {
    std::vector<UserNamespaceStep> chain;
    UniqueFd net_ns(::ioctl(socket, SIOCGSKNS));
    if (!net_ns.valid()) {
        return chain;
    }
    UniqueFd user_ns(::ioctl(net_ns.get(), NS_GET_USERNS));
    while (user_ns.valid() && chain.size() < k_max_user_ns_depth) {
        const auto id = namespace_id(user_ns.get());
        uid_t owner = 0;
        if (!id || ::ioctl(user_ns.get(), NS_GET_OWNER_UID, &owner) != 0) {
            break;
        }
        chain.push_back({*id, static_cast<std::uint32_t>(owner)});
        user_ns = UniqueFd(::ioctl(user_ns.get(), NS_GET_PARENT));
    }
    return chain;
}

// This thread's own credentials, after any capset: the emulating thread.
std::optional<CapabilityHolder> this_thread(bool has_in_own_ns) {
    const auto user_ns = namespace_id("/proc/thread-self/ns/user");
    if (!user_ns) {
        return std::nullopt;
    }
    return CapabilityHolder{*user_ns, static_cast<std::uint32_t>(::geteuid()), has_in_own_ns};
}

// Per-thread capabilities: while alive, this thread's effective CAP_NET_BIND_SERVICE is set as
// asked where the permitted set allows it. effective() says what it is now.
class BindServiceCapability {
  public:
    explicit BindServiceCapability(bool wanted) {
        if (::syscall(SYS_capget, &m_header, m_saved) != 0) {
            return;
        }
        m_effective = (m_saved[0].effective & k_bind_service_bit) != 0;
        if (m_effective == wanted) {
            return;
        }
        __user_cap_data_struct changed[2] = {m_saved[0], m_saved[1]};
        if (wanted) {
            changed[0].effective |= k_bind_service_bit; // only works if permitted
        } else {
            changed[0].effective &= ~k_bind_service_bit;
        }
        m_changed = ::syscall(SYS_capset, &m_header, changed) == 0;
        m_effective = m_changed ? wanted : m_effective;
    }
    ~BindServiceCapability() {
        if (m_changed) {
            ::syscall(SYS_capset, &m_header, m_saved);
        }
    }
    BindServiceCapability(const BindServiceCapability&) = delete;
    BindServiceCapability& operator=(const BindServiceCapability&) = delete;

    bool effective() const { return m_effective; }

  private:
    __user_cap_header_struct m_header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct m_saved[2]{};
    bool m_changed = false;
    bool m_effective = false;
};

// Sets this thread up to bind `socket` with exactly the target's right to a privileged port:
// the target's standing over the socket's network namespace (capability_scope.hpp), and this
// thread's standing there after the capset, must agree. When they cannot (golaunch lacks the
// capability the target has, or owns the namespace the target does not), the emulation must
// not run: the kernel then performs the call as the target itself.
class EmulatingAs {
  public:
    EmulatingAs(int socket, const CapabilityHolder& target)
        : m_chain(socket_owner_chain(socket)),
          m_target_holds(holds_capability_over(m_chain, target)), m_capability(m_target_holds) {
        const auto self = this_thread(m_capability.effective());
        m_agrees = self && holds_capability_over(m_chain, *self) == m_target_holds;
    }
    bool agrees() const { return m_agrees; }

  private:
    std::vector<UserNamespaceStep> m_chain;
    bool m_target_holds = false;
    BindServiceCapability m_capability;
    bool m_agrees = false;
};

void describe_address(const sockaddr_storage& address, BindEvent& event) {
    char text[INET6_ADDRSTRLEN] = "";
    if (address.ss_family == AF_INET) {
        const auto& in4 = reinterpret_cast<const sockaddr_in&>(address);
        ::inet_ntop(AF_INET, &in4.sin_addr, text, sizeof text);
        event.family = AddressFamily::ipv4;
        event.port = ntohs(in4.sin_port);
    } else if (address.ss_family == AF_INET6) {
        const auto& in6 = reinterpret_cast<const sockaddr_in6&>(address);
        ::inet_ntop(AF_INET6, &in6.sin6_addr, text, sizeof text);
        event.family = AddressFamily::ipv6;
        event.port = ntohs(in6.sin6_port);
    }
    event.address = text;
}

seccomp_notif_resp continue_as_is(const seccomp_notif& request) {
    seccomp_notif_resp response{};
    response.id = request.id;
    response.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    return response;
}

bool still_waiting(int listener, std::uint64_t id) {
    std::uint64_t copy = id;
    return ::ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &copy) == 0;
}

} // namespace

Emulation emulate_bind_call(int listener, const seccomp_notif& request) {
    Emulation result;
    result.response = continue_as_is(request);
    const bool is_bind = request.data.nr == __NR_bind;
    if (!is_bind && request.data.nr != __NR_listen) {
        return result;
    }
    BindEvent event;
    event.time = std::chrono::system_clock::now();
    event.steady = std::chrono::steady_clock::now();
    event.call = is_bind ? BindCall::bind : BindCall::listen;
    event.tid = static_cast<pid_t>(request.pid);
    const auto facts = read_task_facts(event.tid);
    if (!facts) {
        return result; // the thread is gone: let the kernel sort it out
    }
    event.pid = facts->tgid;
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, facts->tgid, 0)));
    const int target_fd = static_cast<int>(request.data.args[0]);
    UniqueFd socket(pidfd.valid()
                        ? static_cast<int>(::syscall(SYS_pidfd_getfd, pidfd.get(), target_fd, 0))
                        : -1);
    if (!socket.valid()) {
        return result; // not a descriptor we can reach (EBADF etc.): the call itself will say
    }
    int domain = 0;
    int type = 0;
    socklen_t option_size = sizeof domain;
    if (::getsockopt(socket.get(), SOL_SOCKET, SO_DOMAIN, &domain, &option_size) != 0 ||
        (domain != AF_INET && domain != AF_INET6)) {
        return result; // AF_UNIX paths depend on the target's cwd and credentials: continue
    }
    option_size = sizeof type;
    ::getsockopt(socket.get(), SOL_SOCKET, SO_TYPE, &type, &option_size);
    event.protocol = type == SOCK_DGRAM ? Protocol::udp : Protocol::tcp;

    int error = 0;
    if (is_bind) {
        sockaddr_storage address{};
        const auto length = static_cast<socklen_t>(request.data.args[2]);
        if (length < sizeof(sa_family_t) || length > sizeof address) {
            return result; // the kernel answers EINVAL itself
        }
        iovec local{&address, length};
        iovec remote{reinterpret_cast<void*>(request.data.args[1]), length};
        if (::process_vm_readv(event.tid, &local, 1, &remote, 1, 0) != length ||
            !still_waiting(listener, request.id)) {
            return result;
        }
        describe_address(address, event);
        const EmulatingAs as_target(socket.get(), facts->holder);
        if (!as_target.agrees()) {
            return result; // continue: the kernel decides with the target's own credentials
        }
        error = ::bind(socket.get(), reinterpret_cast<const sockaddr*>(&address), length) == 0
                    ? 0
                    : errno;
        if (event.port == 0) {
            // Go's probe binds ([::1]:0, [::ffff:127.0.0.1]:0) and ephemeral binds: the
            // listen that may follow says which port it got.
            result.response.flags = 0;
            result.response.error = -error;
            return result;
        }
    } else {
        const EmulatingAs as_target(socket.get(), facts->holder); // autobind on listen
        if (!as_target.agrees()) {
            return result;
        }
        error = ::listen(socket.get(), static_cast<int>(request.data.args[1])) == 0 ? 0 : errno;
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        if (::getsockname(socket.get(), reinterpret_cast<sockaddr*>(&address), &length) == 0) {
            describe_address(address, event);
        }
    }
    event.error = error;
    result.response.flags = 0;
    result.response.error = -error;
    result.event = event;
    return result;
}

} // namespace golaunch
