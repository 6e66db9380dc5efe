#include "platform/dns_probe.hpp"

#include "platform/dns_exchange.hpp"
#include "util/strings.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

namespace golaunch {

namespace {

using Clock = std::chrono::steady_clock;

std::string server_label(const std::string& address, std::uint16_t port) {
    return address.find(':') != std::string::npos ? "[" + address + "]:" + std::to_string(port)
                                                  : address + ":" + std::to_string(port);
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
                    judge(fqdn, server, exchange_dns_queries(server, m_options.port, fqdn, until));
                if (state == QueryState::answered || state == QueryState::nxdomain) {
                    return state;
                }
            }
        }
        return QueryState::error_reply;
    }

    QueryState judge(const std::string& fqdn, const std::string& server,
                     const std::vector<DnsQuery>& queries) {
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

const char* to_string(ProbeOutcome outcome) {
    switch (outcome) {
    case ProbeOutcome::answered:
        return "answered";
    case ProbeOutcome::no_such_host:
        return "no such host";
    case ProbeOutcome::failed:
        return "failed";
    case ProbeOutcome::timed_out:
        return "timed out";
    }
    return "?";
}

std::string describe(const ProbeResult& result) {
    const std::string ms = std::to_string(result.elapsed.count()) + " ms";
    const std::string by = result.server.empty() ? "" : " (" + result.server + ")";
    switch (result.outcome) {
    case ProbeOutcome::answered:
        return "answered in " + ms + ": " + join(result.addresses, ", ") + by;
    case ProbeOutcome::no_such_host:
        return "no such host (NXDOMAIN) in " + ms + by;
    case ProbeOutcome::failed:
        return "every nameserver failed, after " + ms;
    case ProbeOutcome::timed_out:
        return "no answer within " + ms;
    }
    return "";
}

} // namespace golaunch
