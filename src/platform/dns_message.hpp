// The few DNS wire-format pieces a resolution probe needs (RFC 1035): an A or AAAA query, and
// a reply's id, rcode and addresses.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace golaunch {

enum class DnsType : std::uint16_t { a = 1, aaaa = 28 };

constexpr int k_rcode_nxdomain = 3;

// A recursive query for `name` (with or without the trailing dot). Empty when the name cannot
// be encoded (a label over 63 bytes, an empty label, over 255 bytes).
std::vector<std::uint8_t> encode_dns_query(std::uint16_t id, std::string_view name, DnsType type);

struct DnsReply {
    std::uint16_t id = 0;
    int rcode = 0;
    bool truncated = false;
    std::vector<std::string> addresses; // A and AAAA records of the answer section, as text
};

// nullopt when `data` is not a DNS reply (too short, QR bit clear, records cut off).
std::optional<DnsReply> decode_dns_reply(const std::uint8_t* data, std::size_t size);

} // namespace golaunch
