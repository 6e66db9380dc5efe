// SCM_RIGHTS: one fd in a control message next to the payload.
#include "platform/fd_passing-linux.hpp"

#include <sys/socket.h>

#include <cstring>

namespace golaunch {

bool send_with_fd(int socket, const void* data, std::size_t size, int fd) noexcept {
    iovec payload{const_cast<void*>(data), size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &payload;
    message.msg_iovlen = 1;
    if (fd >= 0) {
        message.msg_control = control;
        message.msg_controllen = sizeof control;
        cmsghdr* header = CMSG_FIRSTHDR(&message);
        header->cmsg_level = SOL_SOCKET;
        header->cmsg_type = SCM_RIGHTS;
        header->cmsg_len = CMSG_LEN(sizeof(int));
        std::memcpy(CMSG_DATA(header), &fd, sizeof fd);
    }
    return ::sendmsg(socket, &message, MSG_NOSIGNAL) == static_cast<ssize_t>(size);
}

ssize_t receive_with_fd(int socket, int flags, void* data, std::size_t size, UniqueFd& fd) {
    iovec payload{data, size};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr message{};
    message.msg_iov = &payload;
    message.msg_iovlen = 1;
    message.msg_control = control;
    message.msg_controllen = sizeof control;
    const auto got = ::recvmsg(socket, &message, flags | MSG_CMSG_CLOEXEC);
    if (got < 0) {
        return got;
    }
    for (cmsghdr* header = CMSG_FIRSTHDR(&message); header != nullptr;
         header = CMSG_NXTHDR(&message, header)) {
        if (header->cmsg_level == SOL_SOCKET && header->cmsg_type == SCM_RIGHTS) {
            int passed = -1;
            std::memcpy(&passed, CMSG_DATA(header), sizeof passed);
            fd.reset(passed);
        }
    }
    return got;
}

} // namespace golaunch
