// The Winsock half of the bind diagnosis (what the Windows hook reports): pure, so tested on
// every platform with the facts given.
#include "supervise/bind_diagnosis.hpp"

#include <gtest/gtest.h>

namespace golaunch {
namespace {

BindEvent failed_bind(std::uint16_t port, int error, const std::string& address = "127.0.0.1") {
    BindEvent event;
    event.call = BindCall::bind;
    event.address = address;
    event.family =
        address.find(':') == std::string::npos ? AddressFamily::ipv4 : AddressFamily::ipv6;
    event.port = port;
    event.error = error;
    return event;
}

NetConfig with_excluded_range() {
    NetConfig config;
    config.windows_rules = true;
    config.excluded_ranges = {{AddressFamily::ipv4, {50000, 50059}, false}};
    return config;
}

PortUser holder(std::uint16_t port, pid_t pid, const std::string& exe) {
    PortUser user;
    user.socket.state = SocketState::listen;
    user.socket.local_address = "0.0.0.0";
    user.socket.local_port = port;
    ProcessInfo info;
    info.pid = pid;
    info.exe = exe;
    info.name = "server.exe";
    info.user = "DEV\\bob";
    user.owners.push_back(info);
    return user;
}

std::string joined(const BindDiagnosis& diagnosis) {
    std::string text = diagnosis.message + "\n";
    for (const auto& fact : diagnosis.facts) {
        text += fact + "\n";
    }
    return text + diagnosis.remedy;
}

TEST(BindDiagnosisWinsock, AccessDeniedWithoutOwnerInAnExcludedRangeIsWinnat) {
    const auto diagnosis =
        diagnose_bind_error(failed_bind(50010, 10013), {}, with_excluded_range());
    const std::string text = joined(diagnosis);
    EXPECT_NE(diagnosis.message.find("bind 127.0.0.1:50010 failed with WSAEACCES 10013"),
              std::string::npos)
        << text;
    EXPECT_NE(diagnosis.message.find("reserved by winnat/Hyper-V (excluded port range "
                                     "50000-50059)"),
              std::string::npos)
        << text;
    for (const char* needle :
         {"no process holds the port", "`net stop winnat`", "startport=50010 numberofports=1",
          "`net start winnat`", "set dynamic tcp start=49152 num=16384", "never runs these"}) {
        EXPECT_NE(text.find(needle), std::string::npos) << needle << " missing in\n" << text;
    }
}

TEST(BindDiagnosisWinsock, AccessDeniedWithAnOwnerIsItsExclusiveBind) {
    const auto diagnosis =
        diagnose_bind_error(failed_bind(50010, 10013), {holder(50010, 4321, "C:\\srv\\server.exe")},
                            with_excluded_range());
    const std::string text = joined(diagnosis);
    EXPECT_NE(text.find("exclusive bind"), std::string::npos) << text;
    EXPECT_NE(text.find("pid 4321 C:\\srv\\server.exe"), std::string::npos) << text;
    EXPECT_EQ(text.find("winnat"), std::string::npos) << "an owner rules the range out:\n" << text;
}

TEST(BindDiagnosisWinsock, AccessDeniedOutsideEveryRangeSaysSo) {
    const auto diagnosis = diagnose_bind_error(failed_bind(3000, 10013), {}, with_excluded_range());
    const std::string text = joined(diagnosis);
    EXPECT_NE(text.find("in no excluded port range"), std::string::npos) << text;
    EXPECT_NE(text.find("show excludedportrange"), std::string::npos) << text;
    // An IPv6 bind is not covered by an IPv4 range.
    const auto v6 =
        diagnose_bind_error(failed_bind(50010, 10013, "::1"), {}, with_excluded_range());
    EXPECT_EQ(joined(v6).find("winnat/Hyper-V"), std::string::npos) << joined(v6);
}

// 10013 with no holder and no excluded range: a WFP filter of a security product, how to prove
// it (the audit policy, then event 5155 in the Security log) and how to get past it (an exclusion
// for the exe golaunch started, whose path is stable).
TEST(BindDiagnosisWinsock, AccessDeniedWithNoHolderAndNoRangeNamesASecurityProduct) {
    auto event = failed_bind(3000, 10013);
    event.launched = "C:\\work\\shop\\.golaunch\\bin\\api.exe";
    const auto diagnosis = diagnose_bind_error(event, {}, with_excluded_range());
    const std::string text = joined(diagnosis);
    for (const char* needle :
         {"Windows Filtering Platform", "antivirus or endpoint security",
          "auditpol /set /subcategory:\"Filtering Platform Connection\" /failure:enable",
          "event 5155", "Run as administrator",
          "exclusion for C:\\work\\shop\\.golaunch\\bin\\api.exe"}) {
        EXPECT_NE(text.find(needle), std::string::npos) << needle << " missing in\n" << text;
    }
    EXPECT_NE(diagnosis.remedy.find("exclusion"), std::string::npos) << diagnosis.remedy;
    EXPECT_EQ(text.find("sudo"), std::string::npos) << text;
}

// Where the Security log could be read and holds a 5155 event for the exe, it is quoted; where
// it could not, the reason is said next to how to confirm it by hand.
TEST(BindDiagnosisWinsock, AccessDeniedQuotesEvent5155OrSaysWhyTheLogWasNotRead) {
    auto event = failed_bind(3000, 10013);
    event.launched = "C:\\work\\shop\\.golaunch\\bin\\api.exe";
    WfpAudit audit;
    audit.read = true;
    WfpBlockEvent block;
    block.time = "2026-12-06T03:50:01.1234567Z";
    block.pid = 7420;
    block.application = "\\device\\harddiskvolume3\\work\\shop\\.golaunch\\bin\\api.exe";
    block.address = "127.0.0.1";
    block.port = 3000;
    audit.blocks.push_back(block);
    const auto confirmed = diagnose_bind_error(event, {}, with_excluded_range(), nullptr, &audit);
    const std::string text = joined(confirmed);
    EXPECT_NE(confirmed.message.find("the Security log confirms it"), std::string::npos) << text;
    EXPECT_NE(text.find("event 5155 at 2026-12-06T03:50:01.1234567Z"), std::string::npos) << text;
    EXPECT_NE(text.find("(pid 7420), 127.0.0.1:3000"), std::string::npos) << text;
    EXPECT_EQ(text.find("auditpol"), std::string::npos) << "confirmed already:\n" << text;

    WfpAudit unread;
    unread.unread = "the Security log could not be read: Access is denied. (error 5) (it needs "
                    "an Administrator)";
    const auto unconfirmed =
        diagnose_bind_error(event, {}, with_excluded_range(), nullptr, &unread);
    EXPECT_NE(joined(unconfirmed).find("(it needs an Administrator); to confirm: run `auditpol"),
              std::string::npos)
        << joined(unconfirmed);
}

TEST(BindDiagnosisWinsock, AddressInUseNamesTheOwner) {
    const auto diagnosis = diagnose_bind_error(
        failed_bind(8080, 10048), {holder(8080, 777, "C:\\tools\\other.exe")}, NetConfig{});
    const std::string text = joined(diagnosis);
    EXPECT_NE(diagnosis.message.find("WSAEADDRINUSE 10048"), std::string::npos) << text;
    ASSERT_FALSE(diagnosis.facts.empty());
    EXPECT_NE(diagnosis.facts[0].find("held on 0.0.0.0:8080 by pid 777 C:\\tools\\other.exe"),
              std::string::npos)
        << text;
    EXPECT_NE(diagnosis.facts[0].find("[not started by golaunch]"), std::string::npos) << text;
    EXPECT_NE(diagnosis.remedy.find("golaunch who 8080"), std::string::npos);
}

TEST(BindDiagnosisWinsock, AddressNotAvailableAndUnknownCodes) {
    const auto diagnosis =
        diagnose_bind_error(failed_bind(8080, 10049, "192.0.2.7"), {}, NetConfig{});
    EXPECT_NE(diagnosis.message.find("WSAEADDRNOTAVAIL 10049"), std::string::npos);
    ASSERT_FALSE(diagnosis.facts.empty());
    EXPECT_NE(diagnosis.facts[0].find("192.0.2.7 is not an address"), std::string::npos);
    EXPECT_NE(diagnosis.remedy.find("ipconfig"), std::string::npos);

    const auto odd = diagnose_bind_error(failed_bind(8080, 10065), {}, NetConfig{});
    EXPECT_NE(odd.message.find("failed with WSA error 10065"), std::string::npos) << odd.message;
    EXPECT_TRUE(odd.facts.empty());
}

TEST(BindDiagnosisWinsock, ErrnoCodesStayPosix) {
    EXPECT_FALSE(is_winsock_error(EADDRINUSE));
    EXPECT_FALSE(is_winsock_error(EACCES));
    EXPECT_TRUE(is_winsock_error(10048));
    EXPECT_EQ(winsock_error_name(10013), "WSAEACCES");
    EXPECT_EQ(winsock_error_name(10048), "WSAEADDRINUSE");
    const auto posix = diagnose_bind_error(failed_bind(8080, EADDRINUSE), {}, NetConfig{});
    EXPECT_NE(posix.message.find("EADDRINUSE"), std::string::npos);
    EXPECT_EQ(posix.message.find("WSA"), std::string::npos);
}

} // namespace
} // namespace golaunch
