// The UDP side of the resolution probe on Linux: connected datagram sockets and poll(2).
#include "platform/dns_exchange.hpp"
#include "platform/socket_address.hpp"

#include "platform/dns_message.hpp"
#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <cerrno>
#include <random>

namespace golaunch {

namespace {

struct Query {
    DnsQuery result;
    UniqueFd fd;
};

UniqueFd connected_socket(const std::string& address, std::uint16_t port) {
    sockaddr_storage storage{};
    const auto length = static_cast<socklen_t>(make_socket_address(address, port, storage));
    if (length == 0) {
        return {};
    }
    UniqueFd fd(::socket(storage.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    if (fd.valid() && ::connect(fd.get(), reinterpret_cast<sockaddr*>(&storage), length) != 0) {
        fd.reset();
    }
    return fd;
}

std::uint16_t random_id() {
    thread_local std::mt19937 generator{std::random_device{}()};
    return static_cast<std::uint16_t>(generator());
}

// Reads what arrived on a query's socket: its reply, an ICMP refusal, or nothing yet.
void receive(Query& entry) {
    DnsQuery& query = entry.result;
    std::uint8_t buffer[1500];
    while (true) {
        const ssize_t n = ::recv(entry.fd.get(), buffer, sizeof buffer, 0);
        if (n < 0) {
            if (errno == ECONNREFUSED) {
                query.state = QueryState::refused;
            }
            return; // EAGAIN: nothing (more) yet
        }
        const auto reply = decode_dns_reply(buffer, static_cast<std::size_t>(n));
        if (!reply || reply->id != query.id) {
            continue; // not ours: keep waiting, like Go
        }
        query.reply = *reply;
        query.state = reply->rcode == 0                  ? QueryState::answered
                      : reply->rcode == k_rcode_nxdomain ? QueryState::nxdomain
                                                         : QueryState::error_reply;
        return;
    }
}

std::vector<DnsQuery> results_of(std::vector<Query>& queries) {
    std::vector<DnsQuery> results;
    for (auto& query : queries) {
        results.push_back(std::move(query.result));
    }
    return results;
}

} // namespace

std::vector<DnsQuery> exchange_dns_queries(const std::string& server, std::uint16_t port,
                                           const std::string& fqdn,
                                           std::chrono::steady_clock::time_point until) {
    using Clock = std::chrono::steady_clock;
    std::vector<Query> queries;
    for (const auto type : {DnsType::a, DnsType::aaaa}) {
        Query entry;
        DnsQuery& query = entry.result;
        query.type = type;
        entry.fd = connected_socket(server, port);
        query.id = random_id();
        const auto packet = encode_dns_query(query.id, fqdn, type);
        if (entry.fd.valid() && !packet.empty() &&
            ::send(entry.fd.get(), packet.data(), packet.size(), 0) ==
                static_cast<ssize_t>(packet.size())) {
            query.state = QueryState::waiting;
        } else if (errno == ECONNREFUSED) {
            query.state = QueryState::refused;
        }
        queries.push_back(std::move(entry));
    }
    while (true) {
        std::vector<pollfd> fds;
        std::vector<Query*> waiting;
        for (auto& entry : queries) {
            if (entry.result.state == QueryState::waiting) {
                fds.push_back({entry.fd.get(), POLLIN, 0});
                waiting.push_back(&entry);
            }
        }
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
        if (fds.empty() || left <= 0) {
            return results_of(queries);
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(left)) < 0 && errno != EINTR) {
            return results_of(queries);
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents != 0) {
                receive(*waiting[i]);
            }
        }
    }
}

} // namespace golaunch
