#include "supervise/bind_diagnosis.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace golaunch {
namespace {

BindEvent failed_bind(std::uint16_t port, int error) {
    BindEvent event;
    event.call = BindCall::bind;
    event.address = "127.0.0.1";
    event.port = port;
    event.error = error;
    return event;
}

TEST(BindDiagnosis, EaddrinuseNamesTheHolderAndWhetherGolaunchStartedIt) {
    test::FixtureServer holder;
    ASSERT_GT(holder.pid, 0);
    const auto diagnosis =
        diagnose_bind_failure(failed_bind(holder.port, EADDRINUSE), system_socket_table());
    EXPECT_NE(diagnosis.message.find("EADDRINUSE"), std::string::npos) << diagnosis.message;
    ASSERT_FALSE(diagnosis.facts.empty());
    EXPECT_NE(diagnosis.facts[0].find("pid " + std::to_string(holder.pid)), std::string::npos)
        << diagnosis.facts[0];
    EXPECT_NE(diagnosis.facts[0].find("not started by golaunch"), std::string::npos);
    EXPECT_NE(diagnosis.remedy.find("golaunch who " + std::to_string(holder.port)),
              std::string::npos);
}

// Go's `-addr :P`: one dual-stack socket bound to [::]:P, which conflicts with every address
// of both families.
BindEvent failed_wildcard_bind(std::uint16_t port) {
    BindEvent event = failed_bind(port, EADDRINUSE);
    event.family = AddressFamily::ipv6;
    event.address = "::";
    return event;
}

std::string facts_text(const BindDiagnosis& diagnosis) {
    std::string text;
    for (const auto& fact : diagnosis.facts) {
        text += fact + "\n";
    }
    return text;
}

// A TCP socket of this test bound to 127.0.0.1:port (without SO_REUSEADDR), closed at scope
// exit; connected to `peer` when given (then `port` is the local end of a connection).
class LoopbackClientSocket {
  public:
    explicit LoopbackClientSocket(std::uint16_t port, std::uint16_t peer = 0)
        : m_fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        address.sin_port = htons(port);
        m_ok =
            m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        if (m_ok && peer != 0) {
            address.sin_port = htons(peer);
            m_ok = ::connect(m_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
        }
    }
    ~LoopbackClientSocket() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    LoopbackClientSocket(const LoopbackClientSocket&) = delete;
    LoopbackClientSocket& operator=(const LoopbackClientSocket&) = delete;
    bool ok() const { return m_ok; }

  private:
    int m_fd = -1;
    bool m_ok = false;
};

TEST(BindDiagnosis, EaddrinuseOnTheV6WildcardNamesTheV4AndV6Listeners) {
    test::FixtureServer v4; // 127.0.0.1:P
    ASSERT_GT(v4.pid, 0);
    const test::HeldListener v6(v4.port, test::HeldListener::Address::loopback6);
    ASSERT_TRUE(v6.ok());
    const auto diagnosis =
        diagnose_bind_failure(failed_wildcard_bind(v4.port), system_socket_table());
    const std::string facts = facts_text(diagnosis);
    const std::string port = std::to_string(v4.port);
    EXPECT_NE(facts.find("held on 127.0.0.1:" + port + " by pid " + std::to_string(v4.pid)),
              std::string::npos)
        << facts;
    EXPECT_NE(facts.find("held on [::1]:" + port + " by pid " + std::to_string(::getpid())),
              std::string::npos)
        << facts;
}

TEST(BindDiagnosis, EaddrinuseOnTheV6WildcardNamesASocketBoundButNotListening) {
    const auto port = test::pick_free_port();
    const LoopbackClientSocket bound(port);
    ASSERT_TRUE(bound.ok());
    const auto diagnosis = diagnose_bind_failure(failed_wildcard_bind(port), system_socket_table());
    const std::string facts = facts_text(diagnosis);
    EXPECT_NE(facts.find("bound (not listening) on 127.0.0.1:" + std::to_string(port) + " by pid " +
                         std::to_string(::getpid())),
              std::string::npos)
        << facts;
    EXPECT_EQ(facts.find("no listener is left"), std::string::npos) << facts;
}

TEST(BindDiagnosis, EaddrinuseNamesAConnectionWhoseLocalEndIsThePort) {
    const test::HeldListener server(0);
    ASSERT_TRUE(server.ok());
    const auto port = test::pick_free_port();
    const LoopbackClientSocket client(port, server.port());
    ASSERT_TRUE(client.ok());
    const auto diagnosis = diagnose_bind_failure(failed_wildcard_bind(port), system_socket_table());
    const std::string facts = facts_text(diagnosis);
    EXPECT_NE(facts.find("the local end of a connection 127.0.0.1:" + std::to_string(port) +
                         " -> 127.0.0.1:" + std::to_string(server.port()) + " by pid " +
                         std::to_string(::getpid())),
              std::string::npos)
        << facts;
}

TEST(BindDiagnosis, EaccesBelowTheUnprivilegedStartGivesTheWaysOut) {
    const auto diagnosis = diagnose_bind_failure(failed_bind(80, EACCES), system_socket_table());
    ASSERT_FALSE(diagnosis.facts.empty());
    EXPECT_NE(diagnosis.facts[0].find("ip_unprivileged_port_start"), std::string::npos);
    EXPECT_NE(diagnosis.remedy.find("sysctl -w net.ipv4.ip_unprivileged_port_start=80"),
              std::string::npos);
}

TEST(BindDiagnosis, EaddrnotavailSaysTheAddressIsNotLocal) {
    auto event = failed_bind(8080, EADDRNOTAVAIL);
    event.address = "192.0.2.7";
    const auto diagnosis = diagnose_bind_failure(event, system_socket_table());
    ASSERT_FALSE(diagnosis.facts.empty());
    EXPECT_NE(diagnosis.facts[0].find("192.0.2.7 is not an address"), std::string::npos);
}

} // namespace
} // namespace golaunch
