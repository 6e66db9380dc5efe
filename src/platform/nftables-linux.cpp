#include "platform/nftables-linux.hpp"

#include "util/strings.hpp"
#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <dlfcn.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <nftables/libnftables.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <mutex>

namespace golaunch {

namespace {

// The few libnftables functions used, resolved once. The library stays loaded for the
// process's lifetime (never dlclose'd: its globals must outlive any context).
struct NftLibrary {
    decltype(&nft_ctx_new) ctx_new = nullptr;
    decltype(&nft_ctx_free) ctx_free = nullptr;
    decltype(&nft_ctx_output_set_flags) output_set_flags = nullptr;
    decltype(&nft_ctx_buffer_output) buffer_output = nullptr;
    decltype(&nft_ctx_buffer_error) buffer_error = nullptr;
    decltype(&nft_ctx_get_output_buffer) output_buffer = nullptr;
    decltype(&nft_ctx_get_error_buffer) error_buffer = nullptr;
    decltype(&nft_run_cmd_from_buffer) run_cmd = nullptr;
    std::string error; // why it could not be loaded
};

template <typename Function> bool resolve(void* handle, const char* name, Function& function) {
    function = reinterpret_cast<Function>(::dlsym(handle, name));
    return function != nullptr;
}

const NftLibrary& nft_library() {
    static const NftLibrary library = [] {
        NftLibrary loaded;
        void* handle = ::dlopen("libnftables.so.1", RTLD_NOW | RTLD_LOCAL);
        if (handle == nullptr) {
            const char* why = ::dlerror();
            loaded.error = std::string("libnftables.so.1 could not be loaded: ") +
                           (why ? why : "unknown error") + " (apt install libnftables1)";
            return loaded;
        }
        const bool all = resolve(handle, "nft_ctx_new", loaded.ctx_new) &&
                         resolve(handle, "nft_ctx_free", loaded.ctx_free) &&
                         resolve(handle, "nft_ctx_output_set_flags", loaded.output_set_flags) &&
                         resolve(handle, "nft_ctx_buffer_output", loaded.buffer_output) &&
                         resolve(handle, "nft_ctx_buffer_error", loaded.buffer_error) &&
                         resolve(handle, "nft_ctx_get_output_buffer", loaded.output_buffer) &&
                         resolve(handle, "nft_ctx_get_error_buffer", loaded.error_buffer) &&
                         resolve(handle, "nft_run_cmd_from_buffer", loaded.run_cmd);
        if (!all) {
            loaded = NftLibrary{};
            loaded.error = "libnftables.so.1 lacks a function golaunch uses";
        }
        return loaded;
    }();
    return library;
}

} // namespace

NftListing list_nft_ruleset() {
    static std::mutex one_at_a_time;
    const std::lock_guard lock(one_at_a_time);
    NftListing listing;
    const auto& nft = nft_library();
    if (nft.ctx_new == nullptr) {
        listing.error = nft.error;
        return listing;
    }
    nft_ctx* context = nft.ctx_new(NFT_CTX_DEFAULT);
    if (context == nullptr) {
        listing.error = "libnftables: no context";
        return listing;
    }
    nft.output_set_flags(context, NFT_CTX_OUTPUT_JSON);
    nft.buffer_output(context);
    nft.buffer_error(context);
    errno = 0;
    if (nft.run_cmd(context, "list ruleset") == 0) {
        listing.listed = true;
        const char* out = nft.output_buffer(context);
        listing.json = out ? out : "";
    } else {
        const char* buffer = nft.error_buffer(context);
        std::string error = first_line(buffer != nullptr ? buffer : "");
        if (error.empty()) {
            error = "no output";
        }
        listing.error = "list ruleset: " + error;
        listing.permission_denied = error.find("Operation not permitted") != std::string::npos;
    }
    nft.ctx_free(context);
    return listing;
}

std::optional<std::uint32_t> nft_ruleset_generation(std::string* error) {
    const auto fail = [&](const std::string& why) -> std::optional<std::uint32_t> {
        if (error != nullptr) {
            *error = why;
        }
        return std::nullopt;
    };
    const UniqueFd fd(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER));
    if (!fd.valid()) {
        return fail(std::string("netlink socket: ") + std::strerror(errno));
    }
    struct {
        nlmsghdr header;
        nfgenmsg body;
    } request{};
    request.header.nlmsg_len = sizeof request;
    request.header.nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN;
    request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
    request.header.nlmsg_seq = 1;
    request.body.nfgen_family = AF_UNSPEC;
    request.body.version = NFNETLINK_V0;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    if (::sendto(fd.get(), &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
                 sizeof kernel) != static_cast<ssize_t>(sizeof request)) {
        return fail(std::string("netlink send: ") + std::strerror(errno));
    }
    alignas(nlmsghdr) char buffer[8192];
    // The answer (NEWGEN, then the ACK) comes at once; bounded anyway.
    for (int reads = 0; reads < 4; ++reads) {
        pollfd ready{fd.get(), POLLIN, 0};
        if (::poll(&ready, 1, 1000) != 1) {
            return fail("netlink: no answer in 1 s");
        }
        const ssize_t got = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (got < 0) {
            return fail(std::string("netlink receive: ") + std::strerror(errno));
        }
        auto length = static_cast<unsigned>(got);
        for (auto* message = reinterpret_cast<nlmsghdr*>(buffer); NLMSG_OK(message, length);
             message = NLMSG_NEXT(message, length)) {
            if (message->nlmsg_type == NLMSG_ERROR) {
                const auto* answer = static_cast<const nlmsgerr*>(NLMSG_DATA(message));
                if (answer->error != 0) {
                    return fail(std::string("NFT_MSG_GETGEN: ") + std::strerror(-answer->error));
                }
                continue; // the ACK
            }
            if (message->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWGEN)) {
                continue;
            }
            const auto header = NLMSG_LENGTH(NLMSG_ALIGN(sizeof(nfgenmsg)));
            if (message->nlmsg_len < header) {
                continue;
            }
            auto rest = static_cast<int>(message->nlmsg_len - header);
            auto* attribute = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(message) + header);
            while (rest >= static_cast<int>(sizeof(nlattr)) &&
                   attribute->nla_len >= sizeof(nlattr) && attribute->nla_len <= rest) {
                if ((attribute->nla_type & NLA_TYPE_MASK) == NFTA_GEN_ID &&
                    attribute->nla_len >= NLA_HDRLEN + sizeof(std::uint32_t)) {
                    std::uint32_t id = 0;
                    std::memcpy(&id, reinterpret_cast<char*>(attribute) + NLA_HDRLEN, sizeof id);
                    return ntohl(id);
                }
                const int step = NLA_ALIGN(attribute->nla_len);
                rest -= step;
                attribute = reinterpret_cast<nlattr*>(reinterpret_cast<char*>(attribute) + step);
            }
            return fail("NFT_MSG_GETGEN: no generation in the answer");
        }
    }
    return fail("NFT_MSG_GETGEN: no answer");
}

} // namespace golaunch
