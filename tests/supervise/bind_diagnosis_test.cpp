#include "supervise/bind_diagnosis.hpp"

#include "support/test_support.hpp"

#include <gtest/gtest.h>

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
