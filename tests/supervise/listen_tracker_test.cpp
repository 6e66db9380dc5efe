#include "supervise/listen_tracker.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

BindEvent event(BindCall call, const std::string& address, std::uint16_t port, int error = 0,
                Protocol protocol = Protocol::tcp) {
    BindEvent e;
    e.call = call;
    e.address = address;
    e.family = address.find(':') != std::string::npos ? AddressFamily::ipv6 : AddressFamily::ipv4;
    e.port = port;
    e.error = error;
    e.protocol = protocol;
    return e;
}

TEST(ListenTracker, ReadyTheMomentTheLastDeclaredPortListens) {
    ListenTracker tracker({{"svc", "http", 8080, "", false}, {"svc", "admin", 8081, "", false}});
    EXPECT_FALSE(tracker.on_event(event(BindCall::bind, "127.0.0.1", 8080)).became_ready);
    EXPECT_FALSE(tracker.on_event(event(BindCall::listen, "127.0.0.1", 8080)).became_ready);
    EXPECT_EQ(tracker.missing_ports(), std::vector<std::uint16_t>{8081});
    EXPECT_FALSE(
        tracker.on_event(event(BindCall::listen, "127.0.0.1", 8081, EADDRINUSE)).became_ready);
    EXPECT_TRUE(tracker.on_event(event(BindCall::listen, "::1", 8081)).became_ready);
    EXPECT_TRUE(tracker.ready());
    EXPECT_FALSE(tracker.on_event(event(BindCall::listen, "127.0.0.1", 8081)).became_ready)
        << "ready is reported once";
    EXPECT_EQ(tracker.listening(),
              (std::vector<std::string>{"127.0.0.1:8080", "[::1]:8081", "127.0.0.1:8081"}));
}

TEST(ListenTracker, AUdpBindCountsAsListening) {
    ListenTracker tracker({{"svc", "dns", 5353, "", false}});
    EXPECT_TRUE(
        tracker.on_event(event(BindCall::bind, "127.0.0.1", 5353, 0, Protocol::udp)).became_ready);
}

TEST(ListenTracker, WarnsOnceAboutAnUndeclaredPort) {
    ListenTracker tracker({{"svc", "http", 8080, "", false}});
    const auto first = tracker.on_event(event(BindCall::listen, "127.0.0.1", 9999));
    ASSERT_TRUE(first.warning.has_value());
    EXPECT_NE(first.warning->text.find("127.0.0.1:9999"), std::string::npos);
    EXPECT_EQ(first.warning->id, "undeclared-port");
    EXPECT_FALSE(tracker.on_event(event(BindCall::listen, "::1", 9999)).warning.has_value());
    EXPECT_FALSE(tracker.ready());
}

TEST(ListenTracker, WarnsAboutAWildcardWhenLoopbackWasDeclared) {
    ListenTracker tracker({{"svc", "http", 8080, "127.0.0.1", true}});
    const auto update = tracker.on_event(event(BindCall::listen, "0.0.0.0", 8080));
    EXPECT_TRUE(update.became_ready);
    ASSERT_TRUE(update.warning.has_value());
    EXPECT_NE(update.warning->text.find("every interface"), std::string::npos);
    EXPECT_EQ(update.warning->id, "listens-on-every-interface");
    EXPECT_EQ(update.warning->expected_address, "127.0.0.1");
}

TEST(ListenTracker, ComparesAnAddressReadFromTheCommandLineAndSaysWhereItCameFrom) {
    ListenTracker tracker({{"svc", "http", 8080, "127.0.0.1", false}});
    const auto update = tracker.on_event(event(BindCall::listen, "0.0.0.0", 8080));
    EXPECT_TRUE(update.became_ready);
    ASSERT_TRUE(update.warning.has_value());
    EXPECT_NE(update.warning->text.find("while its command line asks for 127.0.0.1"),
              std::string::npos)
        << update.warning->text;
}

TEST(ListenTracker, ANameReadFromTheCommandLineIsNotComparedWithTheListenAddress) {
    ListenTracker tracker({{"svc", "http", 8080, "localhost", false}});
    const auto update = tracker.on_event(event(BindCall::listen, "127.0.0.1", 8080));
    EXPECT_TRUE(update.became_ready);
    EXPECT_FALSE(update.warning.has_value()) << update.warning->text;
}

TEST(ListenTracker, KnowsWhichFamiliesAPortListensOn) {
    ListenTracker tracker({{"svc", "http", 8080, "", false}});
    tracker.on_event(event(BindCall::listen, "127.0.0.1", 8080));
    EXPECT_TRUE(tracker.listens_on(8080, AddressFamily::ipv4));
    EXPECT_FALSE(tracker.listens_on(8080, AddressFamily::ipv6));
    ListenTracker dual({{"svc", "http", 8080, "", false}});
    dual.on_event(event(BindCall::listen, "::", 8080));
    EXPECT_TRUE(dual.listens_on(8080, AddressFamily::ipv4));
    EXPECT_TRUE(dual.listens_on(8080, AddressFamily::ipv6));
}

} // namespace
} // namespace golaunch
