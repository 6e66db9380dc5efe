// nftables read in this process: the ruleset as JSON through libnftables (the library behind
// the `nft` tool, loaded with dlopen the first time it is needed, so that commands which never
// look at the firewall do not pay for loading it and its dependencies), and the ruleset's
// generation number over one netfilter netlink round trip (NFT_MSG_GETGEN), which the kernel
// bumps on every change: the key of the firewall inspection's cache.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace golaunch {

struct NftListing {
    bool listed = false; // false: `error` says why (library missing, no permission...)
    std::string json;    // `nft -j list ruleset`'s document
    std::string error;
    bool permission_denied = false; // the kernel refused (no CAP_NET_ADMIN here)
};

// `list ruleset` in JSON, in this process's network namespace. Thread-safe (one at a time).
NftListing list_nft_ruleset();

// The ruleset generation of this network namespace; nullopt when the kernel does not answer
// (no nf_tables, or no CAP_NET_ADMIN). `error`, when given, gets the reason.
std::optional<std::uint32_t> nft_ruleset_generation(std::string* error = nullptr);

} // namespace golaunch
