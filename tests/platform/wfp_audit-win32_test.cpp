// The Security log reader on a real system: it answers quickly and either read the log (an
// Administrator on Windows) or says why not; under Wine there is no Security log to query.
#include "platform/wfp_audit.hpp"
#include "support/test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <iostream>

namespace golaunch {
namespace {

TEST(WfpAuditWin32, ReadsTheSecurityLogOrSaysWhyNot) {
    const auto started = std::chrono::steady_clock::now();
    const auto audit = read_wfp_blocks("C:\\no\\such\\golaunch-test.exe", std::chrono::seconds(60));
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(20));
    if (audit.read) {
        EXPECT_TRUE(audit.blocks.empty()) << "no event can name an exe that never ran";
    } else {
        EXPECT_NE(audit.unread.find("Security log"), std::string::npos) << audit.unread;
    }
    if (test::running_under_wine()) {
        std::cout << "[ wine     ] read " << audit.read << ": " << audit.unread << "\n";
    }
}

} // namespace
} // namespace golaunch
