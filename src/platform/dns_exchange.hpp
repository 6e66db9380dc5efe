// One round of the resolution probe: A and AAAA for a name sent to one nameserver over UDP
// (a connected socket each, as Go does), both awaited until a deadline. The platform part of
// dns_probe (dns_exchange-linux.cpp: poll; dns_exchange-win32.cpp: Winsock select).
#pragma once

#include "platform/dns_message.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace golaunch {

enum class QueryState { waiting, answered, nxdomain, error_reply, refused, unsent };

struct DnsQuery {
    DnsType type = DnsType::a;
    std::uint16_t id = 0;
    QueryState state = QueryState::unsent; // `waiting` when no reply came before `until`
    DnsReply reply;
};

// `server` is a numeric IPv4 or IPv6 address. Replies with another id are ignored (as Go does).
std::vector<DnsQuery> exchange_dns_queries(const std::string& server, std::uint16_t port,
                                           const std::string& fqdn,
                                           std::chrono::steady_clock::time_point until);

} // namespace golaunch
