#include "platform/dns_message.hpp"
#include "platform/dns_probe.hpp"
#include "platform/resolv_conf.hpp"

#include "support/dns_server.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <algorithm>

namespace golaunch {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

ProbeOptions options(std::uint16_t port, std::chrono::milliseconds deadline,
                     std::size_t parallel = 8) {
    return {deadline, parallel, port};
}

TEST(ResolvConf, ReadsNameserversSearchAndOptionsLikeGo) {
    const auto conf = parse_resolv_conf("# comment\n"
                                        "nameserver 10.0.0.1\n"
                                        "nameserver not-an-ip\n"
                                        "nameserver ::1 ; trailing\n"
                                        "domain ignored.example\n"
                                        "search corp.example. lab.example\n"
                                        "options ndots:3 timeout:0 attempts:9 rotate junk\n"
                                        "nameserver 10.0.0.3\n"
                                        "nameserver 10.0.0.4\n");
    EXPECT_EQ(conf.nameservers, (std::vector<std::string>{"10.0.0.1", "::1", "10.0.0.3"}));
    EXPECT_FALSE(conf.default_nameservers);
    EXPECT_EQ(conf.search, (std::vector<std::string>{"corp.example", "lab.example"}));
    EXPECT_EQ(conf.ndots, 3);
    EXPECT_EQ(conf.timeout, 1s);
    EXPECT_EQ(conf.attempts, 5);
    EXPECT_TRUE(conf.rotate);
}

TEST(ResolvConf, NoNameserverMeansLoopbackAsInGo) {
    const auto conf = parse_resolv_conf("search x.example\n");
    EXPECT_TRUE(conf.default_nameservers);
    EXPECT_EQ(conf.nameservers, (std::vector<std::string>{"127.0.0.1", "::1"}));
    test::TempDir dir;
    const auto missing = read_resolv_conf(dir.path() / "nope");
    EXPECT_TRUE(missing.file_missing);
    EXPECT_TRUE(missing.default_nameservers);
}

TEST(ResolvConf, LookupNamesFollowNdotsAndSearch) {
    auto conf = parse_resolv_conf("nameserver 127.0.0.1\nsearch a.example b.example\n");
    EXPECT_EQ(lookup_names("api.shop.test", conf),
              (std::vector<std::string>{"api.shop.test.", "api.shop.test.a.example.",
                                        "api.shop.test.b.example."}));
    EXPECT_EQ(lookup_names("db", conf),
              (std::vector<std::string>{"db.a.example.", "db.b.example.", "db."}));
    EXPECT_EQ(lookup_names("rooted.test.", conf), std::vector<std::string>{"rooted.test."});
    conf.ndots = 5;
    EXPECT_EQ(lookup_names("api.shop.test", conf).back(), "api.shop.test.");
}

TEST(DnsMessage, EncodesAQueryAndRejectsBadNames) {
    const auto query = encode_dns_query(0x1234, "ab.c.", DnsType::aaaa);
    const std::vector<std::uint8_t> expected{0x12, 0x34, 1,   0,   0, 1,   0, 0, 0,  0, 0,
                                             0,    2,    'a', 'b', 1, 'c', 0, 0, 28, 0, 1};
    EXPECT_EQ(query, expected);
    EXPECT_TRUE(encode_dns_query(1, "a..b", DnsType::a).empty());
    EXPECT_TRUE(encode_dns_query(1, std::string(64, 'x') + ".test", DnsType::a).empty());
    EXPECT_FALSE(decode_dns_reply(query.data(), query.size()).has_value())
        << "a query, not a reply";
    EXPECT_FALSE(decode_dns_reply(query.data(), 5).has_value());
}

TEST(DnsProbe, TimesAnAnswerThatTakes300ms) {
    test::DnsServer server(
        {"-delay", "300ms", "-host", "slow.test=127.0.0.1", "-host", "slow.test=::1"});
    ASSERT_NE(server.port, 0);
    const auto conf = read_resolv_conf(server.resolv_conf());
    // The deadline is far past the delay (and under resolv.conf's 5 s per query, so nothing is
    // asked twice): on a loaded machine the answer comes later, not never. Answered is the
    // upper bound.
    const auto results = probe_names({"slow.test"}, conf, options(server.port, 4000ms));
    ASSERT_EQ(results.size(), 1u);
    const auto& result = results[0];
    EXPECT_EQ(result.outcome, ProbeOutcome::answered) << describe(result);
    EXPECT_GE(result.elapsed, 300ms);
    auto addresses = result.addresses;
    std::sort(addresses.begin(), addresses.end());
    EXPECT_EQ(addresses, (std::vector<std::string>{"127.0.0.1", "::1"}));
    EXPECT_EQ(result.server, "127.0.0.1:" + std::to_string(server.port));
    EXPECT_NE(describe(result).find("answered in "), std::string::npos) << describe(result);
    // Go asks A and AAAA at once.
    auto queries = server.queries();
    std::sort(queries.begin(), queries.end());
    EXPECT_EQ(queries, (std::vector<std::string>{"1 slow.test", "28 slow.test"}));
}

TEST(DnsProbe, ASilentNameserverTimesOutAtTheDeadline) {
    test::DnsServer server({"-silent"});
    ASSERT_NE(server.port, 0);
    const auto conf = read_resolv_conf(server.resolv_conf());
    const auto start = Clock::now();
    const auto results = probe_names({"quiet.test"}, conf, options(server.port, 200ms));
    const auto took = Clock::now() - start;
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome, ProbeOutcome::timed_out) << describe(results[0]);
    EXPECT_FALSE(results[0].any_reply);
    EXPECT_GE(results[0].elapsed, 200ms);
    // Not resolv.conf's per-query timeout (5 s, and retries): the deadline ended it.
    EXPECT_LT(took, 3000ms);
    EXPECT_EQ(describe(results[0]).rfind("no answer within ", 0), 0u) << describe(results[0]);
    EXPECT_FALSE(server.queries().empty()) << "the queries did reach the server";
}

TEST(DnsProbe, NxdomainWalksTheSearchListInGoOrder) {
    test::DnsServer server({});
    ASSERT_NE(server.port, 0);
    const auto conf = read_resolv_conf(server.resolv_conf("search corp.test\n"));
    // The outcome shows no query waited for the deadline (it would be timed_out).
    const auto results = probe_names({"nope.test"}, conf, options(server.port, 4000ms));
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome, ProbeOutcome::no_such_host) << describe(results[0]);
    EXPECT_TRUE(results[0].any_reply);
    EXPECT_LT(results[0].elapsed, 2500ms);
    const auto queries = server.queries();
    ASSERT_EQ(queries.size(), 4u);
    EXPECT_NE(queries[0].find(" nope.test"), std::string::npos);
    EXPECT_NE(queries[3].find(" nope.test.corp.test"), std::string::npos);
}

TEST(DnsProbe, NothingListeningIsRefusedAtOnce) {
    if (test::running_under_wine()) {
        GTEST_SKIP() << "Wine does not report an ICMP port-unreachable on a connected UDP socket "
                        "(Windows gives WSAECONNRESET): the refusal cannot be seen under Wine";
    }
    const auto port = test::pick_free_port(); // free for TCP; nobody we know binds it for UDP
    test::TempDir dir;
    const auto conf = read_resolv_conf(dir.write("resolv.conf", "nameserver 127.0.0.1\n"));
    // A refusal missed would be a timeout (the outcome), not just a slow failure.
    const auto results = probe_names({"a.test"}, conf, options(port, 4000ms));
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].outcome, ProbeOutcome::failed) << describe(results[0]);
    EXPECT_FALSE(results[0].any_reply);
    EXPECT_LT(results[0].elapsed, 2500ms);
    ASSERT_FALSE(results[0].evidence.empty());
    EXPECT_NE(results[0].evidence[0].find("refused"), std::string::npos) << results[0].evidence[0];
}

TEST(DnsProbe, NamesRunInParallelButAtMostNAtOnce) {
    // Told by the server, not by a clock: it holds every reply until it has received as many
    // queries as `parallel` names send at once (A and AAAA each), so the names are answered
    // before their deadline only if that many were out together; and it counts the most it
    // ever held unanswered, which the cap bounds.
    std::vector<std::string> names;
    std::vector<std::string> hosts{"-delay", "300ms"};
    for (int i = 0; i < 6; ++i) {
        names.push_back("n" + std::to_string(i) + ".test");
        hosts.insert(hosts.end(), {"-host", names.back() + "=127.0.0.1"});
    }
    for (const std::size_t parallel : {3U, 6U}) {
        SCOPED_TRACE("parallel " + std::to_string(parallel));
        auto args = hosts;
        args.insert(args.end(), {"-release-at", std::to_string(2 * parallel)});
        test::DnsServer server(args);
        ASSERT_NE(server.port, 0);
        const auto conf = read_resolv_conf(server.resolv_conf());
        const auto start = Clock::now();
        // 4 s: under resolv.conf's 5 s per query, so no query is sent twice, and long before
        // the server's own release at 10 s.
        const auto results = probe_names(names, conf, options(server.port, 4000ms, parallel));
        const auto took = Clock::now() - start;
        ASSERT_EQ(results.size(), names.size());
        for (std::size_t i = 0; i < names.size(); ++i) {
            EXPECT_EQ(results[i].name, names[i]);
            EXPECT_EQ(results[i].outcome, ProbeOutcome::answered) << describe(results[i]);
        }
        EXPECT_EQ(server.most_unanswered(), static_cast<int>(2 * parallel));
        // Rounds of 300 ms each: two with 3 at a time, one with 6.
        EXPECT_GE(took, parallel == 3 ? 600ms : 300ms);
    }
}

} // namespace
} // namespace golaunch
