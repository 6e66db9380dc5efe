// The UDP side of the resolution probe: connected datagram sockets and poll(2).
#include "platform/dns_probe.hpp"

#include "platform/dns_message.hpp"
#include "util/unique_fd.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <random>
#include <thread>

namespace golaunch {

namespace {

using Clock = std::chrono::steady_clock;

enum class QueryState { waiting, answered, nxdomain, error_reply, refused, unsent };

struct Query {
    DnsType type = DnsType::a;
    UniqueFd fd;
    std::uint16_t id = 0;
    QueryState state = QueryState::unsent;
    DnsReply reply;
};

std::string server_label(const std::string& address, std::uint16_t port) {
    return address.find(':') != std::string::npos ? "[" + address + "]:" + std::to_string(port)
                                                  : address + ":" + std::to_string(port);
}

UniqueFd connected_socket(const std::string& address, std::uint16_t port) {
    sockaddr_storage storage{};
    socklen_t length = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
    if (::inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(port);
        length = sizeof *v4;
    } else if (::inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(port);
        length = sizeof *v6;
    } else {
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
void receive(Query& query) {
    std::uint8_t buffer[1500];
    while (true) {
        const ssize_t n = ::recv(query.fd.get(), buffer, sizeof buffer, 0);
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

// Sends A and AAAA for `fqdn` to one server and waits for both until `until`.
std::vector<Query> exchange(const std::string& server, std::uint16_t port, const std::string& fqdn,
                            Clock::time_point until) {
    std::vector<Query> queries;
    for (const auto type : {DnsType::a, DnsType::aaaa}) {
        Query query;
        query.type = type;
        query.fd = connected_socket(server, port);
        query.id = random_id();
        const auto packet = encode_dns_query(query.id, fqdn, type);
        if (query.fd.valid() && !packet.empty() &&
            ::send(query.fd.get(), packet.data(), packet.size(), 0) ==
                static_cast<ssize_t>(packet.size())) {
            query.state = QueryState::waiting;
        } else if (errno == ECONNREFUSED) {
            query.state = QueryState::refused;
        }
        queries.push_back(std::move(query));
    }
    while (true) {
        std::vector<pollfd> fds;
        std::vector<Query*> waiting;
        for (auto& query : queries) {
            if (query.state == QueryState::waiting) {
                fds.push_back({query.fd.get(), POLLIN, 0});
                waiting.push_back(&query);
            }
        }
        const auto left =
            std::chrono::ceil<std::chrono::milliseconds>(until - Clock::now()).count();
        if (fds.empty() || left <= 0) {
            return queries;
        }
        if (::poll(fds.data(), fds.size(), static_cast<int>(left)) < 0 && errno != EINTR) {
            return queries;
        }
        for (std::size_t i = 0; i < fds.size(); ++i) {
            if (fds[i].revents != 0) {
                receive(*waiting[i]);
            }
        }
    }
}

class NameProbe {
  public:
    NameProbe(const std::string& name, const ResolvConf& conf, const ProbeOptions& options)
        : m_conf(conf), m_options(options) {
        m_result.name = name;
    }

    ProbeResult run() {
        const auto start = Clock::now();
        const auto deadline = start + m_options.deadline;
        bool all_nxdomain = true;
        for (const auto& fqdn : lookup_names(m_result.name, m_conf)) {
            const auto outcome = try_name(fqdn, deadline);
            if (outcome == QueryState::answered) {
                finish(ProbeOutcome::answered, start);
                return m_result;
            }
            all_nxdomain = all_nxdomain && outcome == QueryState::nxdomain;
            if (Clock::now() >= deadline) {
                break;
            }
        }
        finish(all_nxdomain    ? ProbeOutcome::no_such_host
               : m_any_timeout ? ProbeOutcome::timed_out
                               : ProbeOutcome::failed,
               start);
        return m_result;
    }

  private:
    void finish(ProbeOutcome outcome, Clock::time_point start) {
        m_result.outcome = outcome;
        m_result.elapsed =
            std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    }

    // Go's tryOneName: every attempt, every server, until one gives an answer or NXDOMAIN.
    QueryState try_name(const std::string& fqdn, Clock::time_point deadline) {
        for (int attempt = 0; attempt < m_conf.attempts; ++attempt) {
            for (const auto& server : m_conf.nameservers) {
                const auto now = Clock::now();
                if (now >= deadline) {
                    m_any_timeout = true;
                    return QueryState::waiting;
                }
                const auto until = std::min(deadline, now + m_conf.timeout);
                const auto state =
                    judge(fqdn, server, exchange(server, m_options.port, fqdn, until));
                if (state == QueryState::answered || state == QueryState::nxdomain) {
                    return state;
                }
            }
        }
        return QueryState::error_reply;
    }

    QueryState judge(const std::string& fqdn, const std::string& server,
                     const std::vector<Query>& queries) {
        const auto label = server_label(server, m_options.port);
        bool answered = true;
        bool nxdomain = false;
        for (const auto& query : queries) {
            const std::string what =
                label + " " + (query.type == DnsType::a ? "A " : "AAAA ") + fqdn + ": ";
            switch (query.state) {
            case QueryState::answered:
                m_result.any_reply = true;
                for (const auto& address : query.reply.addresses) {
                    m_result.addresses.push_back(address);
                }
                break;
            case QueryState::nxdomain:
                m_result.any_reply = true;
                nxdomain = true;
                break;
            case QueryState::error_reply:
                m_result.any_reply = true;
                m_result.evidence.push_back(what + "error reply (rcode " +
                                            std::to_string(query.reply.rcode) + ")");
                answered = false;
                break;
            case QueryState::refused:
                m_result.evidence.push_back(what + "refused (nothing listens on that port)");
                answered = false;
                break;
            case QueryState::waiting:
                m_any_timeout = true;
                m_result.evidence.push_back(what + "no reply");
                answered = false;
                break;
            case QueryState::unsent:
                m_result.evidence.push_back(what + "cannot send the query");
                answered = false;
                break;
            }
        }
        m_result.server = label;
        if (nxdomain) {
            return QueryState::nxdomain;
        }
        if (answered && !m_result.addresses.empty()) {
            return QueryState::answered;
        }
        return answered ? QueryState::nxdomain : QueryState::error_reply; // NOERROR, no data
    }

    const ResolvConf& m_conf;
    const ProbeOptions& m_options;
    ProbeResult m_result;
    bool m_any_timeout = false;
};

} // namespace

std::vector<ProbeResult> probe_names(const std::vector<std::string>& names, const ResolvConf& conf,
                                     const ProbeOptions& options) {
    std::vector<ProbeResult> results(names.size());
    if (names.empty()) {
        return results;
    }
    std::atomic<std::size_t> next{0};
    const auto worker = [&] {
        for (std::size_t i = next++; i < names.size(); i = next++) {
            results[i] = NameProbe(names[i], conf, options).run();
        }
    };
    const std::size_t count = std::clamp<std::size_t>(options.parallel, 1, names.size());
    std::vector<std::thread> threads;
    for (std::size_t i = 1; i < count; ++i) {
        threads.emplace_back(worker);
    }
    worker();
    for (auto& thread : threads) {
        thread.join();
    }
    return results;
}

} // namespace golaunch
