#include "monitor/seccomp_filter-linux.hpp"

#include "util/error.hpp"
#include "util/unique_fd.hpp"

#include <linux/capability.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>

namespace golaunch {

namespace {

constexpr int k_probe_ok = 0;
constexpr int k_probe_errno_base = 100;

bool has_cap_sys_admin() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2]{};
    if (::syscall(SYS_capget, &header, data) != 0) {
        return false;
    }
    return (data[CAP_SYS_ADMIN / 32].effective & (1U << (CAP_SYS_ADMIN % 32))) != 0;
}

} // namespace

namespace {

SeccompProgram build_filter(std::uint32_t action) {
    scmp_filter_ctx ctx = ::seccomp_init(SCMP_ACT_ALLOW);
    if (ctx == nullptr) {
        throw Error("libseccomp: seccomp_init failed");
    }
    struct Release {
        scmp_filter_ctx ctx;
        ~Release() { ::seccomp_release(ctx); }
    } release{ctx};
    // Other architectures' syscalls (32-bit binaries) pass untouched rather than being killed.
    int rc = ::seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
    if (rc == 0) {
        rc = ::seccomp_rule_add(ctx, action, SCMP_SYS(bind), 0);
    }
    if (rc == 0) {
        rc = ::seccomp_rule_add(ctx, action, SCMP_SYS(listen), 0);
    }
    UniqueFd memfd(::memfd_create("golaunch-bpf", MFD_CLOEXEC));
    if (rc == 0 && !memfd.valid()) {
        rc = -errno;
    }
    if (rc == 0) {
        rc = ::seccomp_export_bpf(ctx, memfd.get());
    }
    if (rc != 0) {
        throw Error(std::string("libseccomp cannot build the bind filter: ") + std::strerror(-rc));
    }
    const off_t size = ::lseek(memfd.get(), 0, SEEK_END);
    SeccompProgram program;
    program.code.resize(static_cast<std::size_t>(size) / sizeof(sock_filter));
    if (size <= 0 ||
        ::pread(memfd.get(), program.code.data(), static_cast<std::size_t>(size), 0) != size) {
        throw Error("libseccomp exported an empty bind filter");
    }
    program.no_new_privs = !has_cap_sys_admin();
    return program;
}

} // namespace

SeccompProgram build_bind_filter() {
    return build_filter(SCMP_ACT_NOTIFY);
}

SeccompProgram build_trace_filter() {
    auto program = build_filter(SCMP_ACT_TRACE(0));
    program.killable_wait = false; // no listener, nothing to wait for
    return program;
}

int install_trace_filter(const SeccompProgram& program) noexcept {
    if (program.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return -errno;
    }
    sock_fprog fprog{static_cast<unsigned short>(program.code.size()),
                     const_cast<sock_filter*>(program.code.data())};
    const long rc =
        ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, &fprog);
    return rc < 0 ? -errno : 0;
}

int install_bind_filter(const SeccompProgram& program) noexcept {
    if (program.no_new_privs && ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        return -errno;
    }
    sock_fprog fprog{static_cast<unsigned short>(program.code.size()),
                     const_cast<sock_filter*>(program.code.data())};
    // SPEC_ALLOW: this filter is an observer, not a sandbox, so it must not switch on the
    // speculative-store-bypass mitigation that seccomp otherwise forces on some kernels (a
    // measurable slowdown of the whole service).
    unsigned long flags = SECCOMP_FILTER_FLAG_NEW_LISTENER | SECCOMP_FILTER_FLAG_SPEC_ALLOW;
    if (program.killable_wait) {
        flags |= SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
    }
    const long listener = ::syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, flags, &fprog);
    return listener < 0 ? -errno : static_cast<int>(listener);
}

std::string privilege_conflict(const std::string& executable) {
    struct stat info {};
    if (::stat(executable.c_str(), &info) != 0) {
        return {};
    }
    if ((info.st_mode & (S_ISUID | S_ISGID)) != 0) {
        return executable + " is setuid/setgid";
    }
    if (::getxattr(executable.c_str(), "security.capability", nullptr, 0) > 0) {
        return executable + " has file capabilities (setcap)";
    }
    return {};
}

namespace {

// The probe child: installs the filter on itself (filters and no_new_privs belong to the task,
// so this process is untouched) and reports how that went in its exit code. It ends with the
// raw exit system call rather than _exit(): a call the compiler knows never returns makes an
// ASan build check the stack it runs on, and this one is the probe's own (a warning per run).
int probe_child(void* program) {
    const int listener = install_bind_filter(*static_cast<const SeccompProgram*>(program));
    ::syscall(SYS_exit, listener >= 0 ? k_probe_ok : k_probe_errno_base + (-listener & 0x7f));
    return 0; // not reached
}

} // namespace

std::string probe_bind_filter(SeccompProgram& program) {
    // The child shares this process's memory until it exits (CLONE_VM | CLONE_VFORK, as
    // posix_spawn does): no page tables are copied, which a fork of golaunch paid on every
    // `run` (1.8-4.3 ms of the time to ready on the 2-core VM, against ~0.2 ms this way). It
    // runs on a stack of its own and makes only system calls.
    constexpr std::size_t k_stack_size = 64 * 1024;
    void* stack = ::mmap(nullptr, k_stack_size, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
    if (stack == MAP_FAILED) {
        return std::string("cannot map the probe's stack: ") + std::strerror(errno);
    }
    struct Unmap {
        void* stack;
        ~Unmap() { ::munmap(stack, k_stack_size); }
    } unmap{stack};
    for (int attempt = 0; attempt < 2; ++attempt) {
        const pid_t child = ::clone(probe_child, static_cast<char*>(stack) + k_stack_size,
                                    CLONE_VM | CLONE_VFORK | SIGCHLD, &program);
        if (child < 0) {
            return std::string("clone failed: ") + std::strerror(errno);
        }
        int status = 0;
        while (::waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        if (!WIFEXITED(status)) {
            return "the probe child was killed (signal " + std::to_string(WTERMSIG(status)) + ")";
        }
        const int code = WEXITSTATUS(status);
        if (code == k_probe_ok) {
            return {};
        }
        const int error = code - k_probe_errno_base;
        if (error == EINVAL && program.killable_wait) {
            program.killable_wait = false; // kernel < 5.19: try without that flag
            continue;
        }
        if (error == EBUSY) {
            return "golaunch itself runs under a seccomp notifier (EBUSY): a second listener "
                   "is not allowed";
        }
        return std::string("seccomp user notification is unavailable: ") + std::strerror(error);
    }
    return "seccomp user notification is unavailable";
}

} // namespace golaunch
